// Schemas of GET /me/usage: the user's spend today and this month against the budgets, and by model.
import { z } from 'zod';

const usd = (description: string) => z.number().meta({ description: `US dollars: ${description}` });

const periodSchema = z.object({
  spent: usd('settled costs in this period'),
  reserved: usd('held for models still running'),
  limit: usd('the limit').nullable().meta({ description: 'null when no limit is set' }),
  remaining: usd('limit - spent - reserved, at least 0').nullable(),
  resetsAt: z.string().meta({ description: 'When the period ends (UTC), ISO 8601' }),
});

export const usageSchema = z
  .object({
    day: periodSchema,
    month: periodSchema,
    byModel: z.array(
      z.object({
        modelId: z.string(),
        responses: z.number().int(),
        inputTokens: z.number().int(),
        outputTokens: z.number().int(),
        cost: usd('settled costs of this model this month'),
      }),
    ),
  })
  .meta({ id: 'Usage' });
