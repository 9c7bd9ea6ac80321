// Schemas of share links: the snapshot a visitor reads (a whitelist of fields) and the link's ids.
import { z } from 'zod';

/**
 * A response as a visitor sees it. Statuses are plain strings: a snapshot is stored text that must
 * stay readable if the engine names a status differently one day.
 */
export const sharedResponseSchema = z.object({
  modelId: z.string(),
  provider: z.string().nullable(),
  status: z.string(),
  response: z.string(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  cost: z.number().nullable(),
  costSource: z.string().nullable(),
  timeToFirstTokenMs: z.number().nullable(),
  responseTimeMs: z.number().nullable(),
  tokensPerSecond: z.number().nullable(),
  errorMessage: z.string().nullable(),
});

/** What a share stores: the session's content and figures, never who ran it or how to reach it. */
export const sharedSnapshotSchema = z.object({
  prompt: z.string(),
  system: z.string().nullable(),
  temperature: z.number().nullable(),
  maxTokens: z.number().nullable(),
  status: z.string(),
  errorMessage: z.string().nullable(),
  responses: z.array(sharedResponseSchema),
  metrics: z
    .object({ totalTokens: z.number(), totalCost: z.number(), averageResponseTime: z.number() })
    .nullable(),
  createdAt: z.string(),
});
export type SharedSnapshot = z.infer<typeof sharedSnapshotSchema>;

export const sharedComparisonSchema = sharedSnapshotSchema
  .extend({ sharedAt: z.string() })
  .meta({ id: 'SharedComparison', description: 'A read-only snapshot of an ended comparison' });

export const shareLinkSchema = z.object({
  shareId: z.string(),
  url: z.string().describe('The page that shows the snapshot, a path on this server: /s/<shareId>'),
});

/** Loose on purpose: a malformed id is simply not found, so the page can say one thing. */
export const shareIdParamsSchema = z.object({ shareId: z.string().min(1).max(128) });
