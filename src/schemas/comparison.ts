// Schemas of the comparison routes: requests (limits from the config) and answers, for the OpenAPI doc.
import { z } from 'zod';
import { costSources, finishReasons, responseStatuses, sessionStatuses, usageSources } from '../db/schema.js';
import { wellFormed } from '../services/text.js';

/** Most output tokens one model may be asked for; each provider clamps further to its model. */
export const MAX_OUTPUT_TOKENS = 64_000;
/** How many models a comparison gets when the request names none (see defaultModels in the catalogue). */
export const DEFAULT_MODEL_COUNT = 2;

export interface ComparisonLimits {
  maxPromptChars: number;
  maxModelsPerComparison: number;
}

export function createComparisonBodySchema(limits: ComparisonLimits) {
  return z.object({
    prompt: z
      .string()
      .min(1, 'must not be empty')
      .max(limits.maxPromptChars, `must be at most ${limits.maxPromptChars} characters`)
      .refine((s) => s.trim().length > 0, 'must not be blank')
      // A lone surrogate cannot be stored: it becomes U+FFFD here, so the echo and the store agree.
      .transform(wellFormed),
    modelIds: z
      .array(z.string().min(1).max(200))
      .min(1, 'must name at least one model')
      .max(limits.maxModelsPerComparison, `must name at most ${limits.maxModelsPerComparison} models`)
      .refine((ids) => new Set(ids).size === ids.length, 'must not name a model twice')
      .optional()
      .describe(
        `Models to compare; when omitted, ${DEFAULT_MODEL_COUNT} quick models, one per configured provider where possible`,
      ),
    system: z
      .string()
      .max(limits.maxPromptChars, `must be at most ${limits.maxPromptChars} characters`)
      .transform(wellFormed)
      .optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(MAX_OUTPUT_TOKENS).optional(),
    blind: z
      .boolean()
      .optional()
      .describe(
        'Blind comparison: models named by slot (A, B, ...) until a vote or POST /comparison/:id/reveal; 2 or more models, two drawn at random when modelIds is omitted',
      ),
  });
}
export type CreateComparisonBody = z.infer<ReturnType<typeof createComparisonBodySchema>>;

/** A follow-up turn: the body of POST /comparison; `modelIds` name models of the parent (slots when blind). */
export function continueComparisonBodySchema(limits: ComparisonLimits) {
  return createComparisonBodySchema(limits)
    .omit({ modelIds: true, blind: true })
    .extend({
      modelIds: z
        .array(z.string().min(1).max(200))
        .min(1, 'must name at least one model')
        .max(limits.maxModelsPerComparison, `must name at most ${limits.maxModelsPerComparison} models`)
        .refine((ids) => new Set(ids).size === ids.length, 'must not name a model twice')
        .optional()
        .describe(
          'Models of the parent to continue with; by default every model of the parent that completed',
        ),
    });
}

export const sessionIdParamsSchema = z.object({ id: z.uuid('must be a comparison id (a UUID)') });

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const streamQuerySchema = z.object({
  ticket: z.string().max(4096).optional(),
  lastEventId: z.coerce.number().int().min(0).optional(),
});

/** In a blind session before its reveal: the slot as id, no provider, "Model A" as name. */
const modelSummarySchema = z.object({ id: z.string(), provider: z.string().nullable(), name: z.string() });

export const sessionMetricsSchema = z.object({
  totalTokens: z.number().int(),
  totalCost: z.number(),
  averageResponseTime: z.number(),
  costComplete: z.boolean().meta({ description: 'False when some response cost is unknown' }),
});

export const priceSchema = z.object({
  inputPerMillion: z.number(),
  outputPerMillion: z.number(),
  cachedInputPerMillion: z.number().nullable(),
  cacheWriteInputPerMillion: z.number().nullable(),
  source: z.string(),
  asOf: z.string().nullable(),
});

export const modelResponseSchema = z
  .object({
    id: z.string(),
    modelId: z.string().meta({ description: 'The slot (A, B, ...) in a blind session before its reveal' }),
    provider: z.string().nullable(),
    response: z.string(),
    reasoning: z.string(),
    status: z.enum(responseStatuses),
    finishReason: z.enum(finishReasons).nullable(),
    inputTokens: z.number().int().nullable(),
    outputTokens: z.number().int().nullable(),
    cachedInputTokens: z.number().int().nullable(),
    cacheWriteInputTokens: z.number().int().nullable(),
    reasoningTokens: z.number().int().nullable(),
    cost: z.number().nullable().meta({ description: 'US dollars; null when the price is unknown' }),
    costSource: z.enum(costSources).nullable(),
    usageSource: z.enum(usageSources).nullable(),
    price: priceSchema.nullable(),
    responseTimeMs: z.number().int().nullable(),
    timeToFirstTokenMs: z.number().int().nullable(),
    timeToFirstReasoningMs: z.number().int().nullable(),
    tokensPerSecond: z.number().nullable(),
    errorMessage: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'ModelResponse' });

export const createdComparisonSchema = z.object({
  sessionId: z.string(),
  prompt: z.string(),
  models: z.array(modelSummarySchema),
  status: z.enum(sessionStatuses),
  streamUrl: z.string(),
  parentId: z.string().nullable(),
  turn: z.number().int(),
});

export const comparisonSchema = z
  .object({
    id: z.string(),
    prompt: z.string(),
    system: z.string().nullable(),
    temperature: z.number().nullable(),
    maxTokens: z.number().int().nullable(),
    status: z.enum(sessionStatuses),
    errorMessage: z.string().nullable(),
    responses: z.array(modelResponseSchema),
    metrics: sessionMetricsSchema
      .nullable()
      .meta({ description: 'null in a blind session before its reveal' }),
    blind: z.boolean(),
    revealed: z.boolean(),
    streamUrl: z.string().optional(),
    parentId: z.string().nullable(),
    turn: z.number().int(),
    thread: z.array(
      z.object({
        id: z.string(),
        prompt: z.string(),
        turn: z.number().int(),
        status: z.enum(sessionStatuses),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Comparison' });

/** A history entry: the session without the response texts, which GET /comparison/:id has. */
export const comparisonSummarySchema = z.object({
  id: z.string(),
  prompt: z.string(),
  status: z.enum(sessionStatuses),
  errorMessage: z.string().nullable(),
  models: z.array(
    z.object({ modelId: z.string(), provider: z.string().nullable(), status: z.enum(responseStatuses) }),
  ),
  metrics: sessionMetricsSchema.nullable(),
  blind: z.boolean(),
  revealed: z.boolean(),
  parentId: z.string().nullable(),
  turn: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const cancelledSchema = z.object({ sessionId: z.string(), status: z.enum(sessionStatuses) });
