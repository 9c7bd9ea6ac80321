// Schemas of the estimate route: its body is POST /comparison's, its answer the costs before a run.
import { z } from 'zod';

export { createComparisonBodySchema as createEstimateBodySchema } from './comparison.js';

const usd = (description: string) => z.number().meta({ description: `US dollars: ${description}` });

export const modelEstimateSchema = z.object({
  modelId: z.string(),
  inputTokens: z.number().int().meta({ description: 'The prompt, counted locally with o200k_base' }),
  inputTokensMethod: z.enum(['tokenizer', 'estimate']).meta({
    description:
      "`tokenizer`: the model's own tokenizer; `estimate`: another tokenizer's count (Anthropic, ...)",
  }),
  maxOutputTokens: z.number().int(),
  minCost: usd('the prompt at the input price, no output').nullable(),
  maxCost: usd('the prompt plus maxOutputTokens of output').nullable(),
  costSource: z.enum(['estimated', 'free', 'unknown']),
});

export const comparisonEstimateSchema = z
  .object({
    models: z.array(modelEstimateSchema),
    totals: z.object({
      minCost: usd('the sum of the known minimums (a lower bound when some price is unknown)'),
      maxCost: usd('the sum of the maximums').nullable().meta({
        description: 'null when any model has no known price: then only minCost ("at least") can be shown',
      }),
    }),
  })
  .meta({ id: 'ComparisonEstimate' });
