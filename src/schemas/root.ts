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
  comparisons: z.object({ active: z.number().int() }),
  memory: z.object({ rssBytes: z.number(), heapUsedBytes: z.number(), heapTotalBytes: z.number() }),
});
