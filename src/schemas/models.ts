// Schemas of the model catalogue routes: what a client may pick for a comparison, with prices.
import { z } from 'zod';

export const modelSchema = z
  .object({
    id: z.string().meta({ description: 'Send this in `modelIds`.' }),
    provider: z.enum(['openai', 'anthropic', 'demo']),
    name: z.string(),
    pricing: z.object({
      inputPerMillion: z.number().meta({ description: 'US dollars per million input tokens' }),
      outputPerMillion: z.number().meta({ description: 'US dollars per million output tokens' }),
      cachedInputPerMillion: z
        .number()
        .optional()
        .meta({ description: 'US dollars per million input tokens read from the prompt cache' }),
    }),
    contextWindow: z.number().int(),
    defaultMaxTokens: z.number().int(),
    simulated: z
      .boolean()
      .meta({ description: 'True for the demo models, which stream locally and cost nothing' }),
    priceSource: z.string(),
  })
  .meta({ id: 'Model' });

export const availableModelsSchema = z.array(modelSchema);

export type Model = z.infer<typeof modelSchema>;
