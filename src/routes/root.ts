// Public service routes: liveness, what this server offers, and health with a real database query and write probe.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { redisHealth } from '../plugins/redis.js';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { healthSchema, infoSchema, rootSchema } from '../schemas/root.js';
import { serviceName, version } from '../version.js';

const rootRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/', { schema: { tags: ['service'], response: { 200: rootSchema } } }, async () => ({
    status: 'ok' as const,
    timestamp: new Date().toISOString(),
    service: serviceName,
    version,
  }));

  app.get('/api/info', { schema: { tags: ['service'], response: { 200: infoSchema } } }, async () => ({
    name: serviceName,
    version,
    features: [
      'side-by-side comparison of several models on one prompt',
      'server-sent events stream multiplexing every model, resumable with Last-Event-ID',
      'cancellation that aborts the upstream requests',
      'per-model tokens, cost, time to first token and total time',
      'history of comparisons per user',
      'providers: openai, anthropic, demo (simulated)',
      'auth: Auth0 (RS256 via JWKS) or HS256 self-hosting',
      'a browser playground page at /playground',
      'export as JSON, CSV or Markdown; read-only share links with a page at /s/:shareId',
    ],
    endpoints: {
      root: 'GET /',
      info: 'GET /api/info',
      health: 'GET /health',
      docs: 'GET /docs',
      playground: 'GET /playground',
      openapi: 'GET /docs/json',
      login: 'GET /auth/login',
      logout: 'GET /auth/logout',
      me: 'GET /auth/me',
      models: 'GET /comparison/models/available',
      create: 'POST /comparison',
      list: 'GET /comparison',
      get: 'GET /comparison/:id',
      stream: 'GET /comparison/:id/stream',
      cancel: 'POST /comparison/:id/cancel',
      export: 'GET /comparison/:id/export?format=json|csv|md',
      share: 'POST /comparison/:id/share',
      unshare: 'DELETE /comparison/:id/share',
      shared: 'GET /shared/:shareId',
      sharePage: 'GET /s/:shareId',
    },
  }));

  app.get(
    '/health',
    {
      schema: {
        tags: ['service'],
        response: { 200: healthSchema, 503: healthSchema.or(errorEnvelopeSchema) },
      },
    },
    async (_request, reply) => {
      const [database, redis] = await Promise.all([
        app.databaseHealth(),
        app.redis ? redisHealth(app.redis) : null,
      ]);
      // Without Redis an instance of several can start no comparison: as unhealthy as without its database.
      const ok = database.reachable && database.writable && (redis?.reachable ?? true);
      const mem = process.memoryUsage();
      const body = {
        status: ok ? ('ok' as const) : ('degraded' as const),
        timestamp: new Date().toISOString(),
        uptimeSeconds: Math.round(process.uptime()),
        database,
        providers: { configured: app.providers.configured() },
        endpoints: app.providers.endpointHealth(),
        redis,
        comparisons: { active: app.comparisons.activeCount },
        memory: { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal },
      };
      return reply.code(ok ? 200 : 503).send(body);
    },
  );
};

export default rootRoutes;
