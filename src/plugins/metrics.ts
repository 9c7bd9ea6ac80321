// The metrics plugin: Prometheus series of this app (its own registry), fed by hooks and a log follower.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isLocalClient } from '../auth/loopback.js';
import { envelope } from '../errors.js';
import type { SessionRun } from '../services/comparison-runner.js';
import { redisHealth } from './redis.js';

/**
 * prom-client rather than fastify-metrics: we need one registry per app (two apps in one process
 * must not share series, and prom-client's global default registry would), and the engine's series
 * come from a follower of each comparison's log, which a route-metrics plugin does not offer.
 */
function createMetrics() {
  const registry = new Registry();
  // Chunks counted as plain numbers per provider (a `+= 1` per chunk, no label object or hash) and
  // handed to the counter when scraped.
  const chunkCounts = new Map<string, { n: number }>();
  const seconds = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];
  return {
    registry,
    requests: new Counter({
      name: 'playground_http_requests_total',
      help: 'HTTP requests by route pattern and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    comparisons: new Counter({
      name: 'playground_comparisons_total',
      help: 'Comparisons ended, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    openStreams: new Gauge({
      name: 'playground_open_streams',
      help: 'Open SSE streams',
      registers: [registry],
    }),

    chunkCounts,
    chunks: new Counter({
      name: 'playground_chunks_relayed_total',
      help: 'Answer and reasoning chunks relayed',
      labelNames: ['provider'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [provider, count] of chunkCounts) this.inc({ provider }, count.n);
      },
    }),
    ttft: new Histogram({
      name: 'playground_time_to_first_token_seconds',
      help: 'Time to the first answer token, by provider',
      labelNames: ['provider'] as const,
      buckets: seconds,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'playground_model_stream_duration_seconds',
      help: 'Model stream duration (request to last token), by provider',
      labelNames: ['provider'] as const,
      buckets: seconds,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'playground_model_failures_total',
      help: 'Model streams that ended without completing, by provider and kind (rate_limited, timeout, too_large, cancelled, ...)',
      labelNames: ['provider', 'kind'] as const,
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'playground_tokens_total',
      help: 'Tokens by provider and direction',
      labelNames: ['provider', 'direction'] as const,
      registers: [registry],
    }),
    cost: new Counter({
      name: 'playground_cost_usd_total',
      help: 'Known cost in US dollars by provider',
      labelNames: ['provider'] as const,
      registers: [registry],
    }),
  };
}

export type AppMetrics = ReturnType<typeof createMetrics> & { follow(run: SessionRun): void };

/** The log follower: an index into the append-only log, a counter bump per event, nothing kept. */
function follower(m: ReturnType<typeof createMetrics>) {
  return (run: SessionRun) => {
    const providers = new Map(run.models.map((x) => [x.model.id, x.model.provider]));
    const chunkCount = (provider: string) => {
      let count = m.chunkCounts.get(provider);
      if (!count) {
        count = { n: 0 };
        m.chunkCounts.set(provider, count);
      }
      return count;
    };
    const chunksOf = new Map(run.models.map((x) => [x.model.id, chunkCount(x.model.provider)]));
    run.log.followEvents((e) => {
      if (e.type === 'model_chunk' || e.type === 'model_reasoning') {
        const count = chunksOf.get(e.modelId);
        if (count) count.n += 1;
      } else if (e.type === 'model_complete' || e.type === 'model_error') {
        const provider = providers.get(e.modelId) ?? '';
        const x = e.metrics;
        if (e.type === 'model_complete') {
          if (x.timeToFirstTokenMs !== null) m.ttft.observe({ provider }, x.timeToFirstTokenMs / 1000);
          if (x.responseTimeMs !== null) m.duration.observe({ provider }, x.responseTimeMs / 1000);
        } else
          m.failures.inc({
            provider,
            kind: e.failure ?? (e.error === 'cancelled' ? 'cancelled' : 'error'),
          });
        m.tokens.inc({ provider, direction: 'input' }, x.inputTokens);
        m.tokens.inc({ provider, direction: 'output' }, x.outputTokens);
        if (x.cost !== null) m.cost.inc({ provider }, x.cost);
      } else {
        const outcome =
          e.type === 'comparison_complete' ? 'completed' : e.status === 'cancelled' ? 'cancelled' : 'failed';
        m.comparisons.inc({ outcome });
      }
    });
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics;
  }
}

const bearerOf = (request: FastifyRequest) => /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export default fp(
  async (app) => {
    const m = createMetrics();
    app.decorate('metrics', { ...m, follow: follower(m) });
    // Only where there is a Redis: a 0 without REDIS_URL would read as "Redis is down".
    const redis = app.redis;
    const redisUp = redis
      ? new Gauge({
          name: 'playground_redis_up',
          help: 'Whether REDIS_URL answered a PING at this scrape (1) or not (0)',
          registers: [m.registry],
        })
      : null;
    app.addHook('onResponse', async (request, reply) => {
      m.requests.inc({
        method: request.method,
        // The route pattern, never the raw URL: ids would make a series per session.
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      });
    });
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const token = app.config.metricsToken;
      if (token ? !tokenMatches(bearerOf(request), token) : !isLocalClient(request)) {
        const status = token ? 401 : 403;
        const message = token
          ? 'GET /metrics needs the bearer token METRICS_TOKEN'
          : 'GET /metrics answers only this machine unless METRICS_TOKEN is set';
        return reply.code(status).send(envelope(status, message));
      }
      m.openStreams.set(app.streamClients.count);
      if (redis && redisUp) redisUp.set((await redisHealth(redis)).reachable ? 1 : 0);
      return reply.header('content-type', m.registry.contentType).send(await m.registry.metrics());
    });
  },
  { name: 'metrics', dependencies: ['sessions'] },
);
