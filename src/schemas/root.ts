// Schemas of the public service routes: /, /api/info, /health.
import { z } from 'zod';

export const rootSchema = z.object({
  status: z.literal('ok'),
  timestamp: z.string(),
  service: z.string(),
  version: z.string(),
});

export const infoSchema = z.object({
  name: z.string(),
  version: z.string(),
  features: z.array(z.string()),
  endpoints: z.record(z.string(), z.string()),
});

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  timestamp: z.string(),
  uptimeSeconds: z.number(),
  database: z.object({ reachable: z.boolean(), writable: z.boolean(), problem: z.string().nullable() }),
  providers: z.object({ configured: z.array(z.string()) }),
  endpoints: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        reachable: z.boolean().nullable().meta({
          description: 'Whether its model list answered last time; null when it does not discover models',
        }),
        models: z.number().int().meta({ description: 'Models it offers now, declared and discovered' }),
        lastError: z.string().nullable(),
        lastRefreshAt: z.string().nullable().meta({ description: 'Last successful model list (ISO 8601)' }),
      }),
    )
    .meta({ description: 'One per endpoint of MODELS_FILE; a down endpoint does not make /health fail' }),
  redis: z
    .object({
      reachable: z.boolean(),
      latencyMs: z.number().nullable(),
      problem: z.string().nullable(),
    })
    .nullable()
    .meta({ description: 'A PING of REDIS_URL; null without it (one instance). Unreachable answers 503' }),
  comparisons: z.object({ active: z.number().int() }),
  memory: z.object({ rssBytes: z.number(), heapUsedBytes: z.number(), heapTotalBytes: z.number() }),
});
