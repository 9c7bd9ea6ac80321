// Schemas of the model catalogue routes: what a client may pick for a comparison, with prices.
import { z } from 'zod';

export const pricingSchema = z.object({
  inputPerMillion: z.number().meta({ description: 'US dollars per million input tokens' }),
  outputPerMillion: z.number().meta({ description: 'US dollars per million output tokens' }),
  cachedInputPerMillion: z
    .number()
    .optional()
    .meta({ description: 'US dollars per million input tokens read from the prompt cache' }),
  cacheWriteInputPerMillion: z
    .number()
    .optional()
    .meta({ description: 'US dollars per million input tokens written to the prompt cache' }),
});

export const modelSchema = z
  .object({
    id: z.string().meta({ description: 'Send this in `modelIds`.' }),
    provider: z
      .string()
      .meta({ description: "The endpoint's id: openai, anthropic, demo, or one of MODELS_FILE" }),
    name: z.string(),
    endpoint: z.object({ id: z.string(), name: z.string() }),
    pricing: pricingSchema.nullable().meta({ description: 'null when the price is unknown' }),
    priceSource: z.string(),
    priceAsOf: z.string().nullable().meta({ description: 'Date of the price (YYYY-MM-DD), or null' }),
    contextWindow: z.number().int(),
    defaultMaxTokens: z.number().int(),
    acceptsTemperature: z
      .boolean()
      .meta({ description: 'False: a temperature in the request is not sent to this model' }),
    simulated: z
      .boolean()
      .meta({ description: 'True for the demo models, which stream locally and cost nothing' }),
  })
  .meta({ id: 'Model' });

export const availableModelsSchema = z.array(modelSchema);

export type Model = z.infer<typeof modelSchema>;
