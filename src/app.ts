// The application as a Fastify instance: explicit registration of every plugin and route, in order.
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyReply } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { loggerOptions, OneLinePerRequest } from './logger.js';
import auth from './plugins/auth.js';
import budgets from './plugins/budgets.js';
import db from './plugins/db.js';
import errorHandler, { clientErrorHandler, frameworkErrorEnvelope } from './plugins/error-handler.js';
import metrics from './plugins/metrics.js';
import providers, { type ProvidersOptions } from './plugins/providers.js';
import rateLimits, { userRateLimit } from './plugins/rate-limit.js';
import redis, { type RedisOptions } from './plugins/redis.js';
import repositories from './plugins/repositories.js';
import sessions, { type SessionsOptions } from './plugins/sessions.js';
import shares from './plugins/shares.js';
import { authProtectedRoutes, authPublicRoutes } from './routes/auth.js';
import browserModuleRoutes from './routes/browser-modules.js';
import comparisonRoutes from './routes/comparison.js';
import comparisonExportRoutes from './routes/comparison-export.js';
import comparisonStreamRoutes from './routes/comparison-stream.js';
import estimateRoutes from './routes/estimate.js';
import modelRoutes from './routes/models.js';
import playgroundRoutes from './routes/playground.js';
import rootRoutes from './routes/root.js';
import sharePageRoutes from './routes/share-page.js';
import { shareProtectedRoutes, sharePublicRoutes } from './routes/shares.js';
import usageRoutes from './routes/usage.js';
import voteRoutes from './routes/votes.js';
import { version } from './version.js';

export interface AppDeps {
  /** Where log lines go (tests read them); stdout when absent. */
  logStream?: DestinationStream;
  /** Options of the providers plugin (tests pace the demo models). */
  providers?: ProvidersOptions;
  /** Internal timings of the comparison engine (ping interval, write batching); tests shorten them. */
  sessions?: Partial<SessionsOptions>;
  /** Redis internals (a key prefix of their own for tests); used only with REDIS_URL. */
  redis?: Partial<RedisOptions>;
}

// Only short ids of safe characters are echoed and logged: anything else (16 KB, markup) is replaced.
const requestIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;

function requestIdFor(given: string | string[] | undefined): string {
  return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
}

const corsExposedHeaders = [
  'X-Total-Count',
  'Retry-After',
  'X-Request-Id',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/** What @fastify/cors adds to a simple response, for the replies Fastify makes before any hook runs. */
function corsHeaders(allowed: string[], origin: string | undefined): Record<string, string> {
  const expose = { 'access-control-expose-headers': corsExposedHeaders.join(', ') };
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*', ...expose };
  if (origin && allowed.includes(origin))
    return { 'access-control-allow-origin': origin, vary: 'Origin', ...expose };
  return { vary: 'Origin' };
}

export async function buildApp(config: Config, deps: AppDeps = {}) {
  // Node's request timeout covers receiving a request (headers and body), not answering it: an SSE
  // stream, whose request ends with its headers, may last as long as its comparison. Node checks it
  // every connectionsCheckingInterval (30 s by default), which bounds how late the cut comes.
  const requestTimeout = config.requestTimeoutMs;
  const app = Fastify({
    // avvio's timeout also bounds the preClose hooks, and the sessions plugin's waits out the shutdown
    // grace period and then records and ends every stream: with the default 10 s it cut off a default
    // shutdown (exit 1). Longer than server.ts's own last resort, so that one speaks if close hangs.
    pluginTimeout: config.shutdownGraceMs + 15_000,
    requestTimeout,
    http: {
      requestTimeout,
      // Headers are small: a client that takes longer than this to send them is dribbling.
      headersTimeout: Math.min(requestTimeout, 10_000),
      connectionsCheckingInterval: Math.min(5000, Math.max(100, Math.floor(requestTimeout / 4))),
    },
    clientErrorHandler,
    logger: loggerOptions(config, deps.logStream),
    trustProxy: config.trustProxy,
    // A prompt of MAX_PROMPT_CHARS characters can take four bytes each in UTF-8, plus the rest of the body.
    bodyLimit: Math.max(1024 * 1024, config.limits.maxPromptChars * 4 + 64 * 1024),
    // On close, idle keep-alive sockets go at once and in-flight requests may finish; open SSE
    // streams are ended by the sessions plugin's preClose hook, so they never hold close() up.
    forceCloseConnections: 'idle',
    // During the shutdown grace period the service routes keep answering; new comparisons and
    // streams get our own 503 envelope (Fastify's built-in 503 has a different body).
    return503OnClosing: false,
    // Fastify would take a requestIdHeader's value as it is and never call genReqId: we read it ourselves.
    requestIdHeader: false,
    genReqId: (req) => requestIdFor(req.headers['x-request-id']),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // A malformed URL or an over-long path parameter is answered before routing, so no hook (CORS,
    // the request id) runs: the envelope and those headers are set here.
    frameworkErrors: (err, request, reply: FastifyReply) => {
      const body = frameworkErrorEnvelope(err, request);
      reply.headers({
        ...corsHeaders(config.corsOrigins, request.headers.origin),
        'x-request-id': request.id,
      });
      reply.code(body.statusCode).send(body);
    },
    logController: new OneLinePerRequest(),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorate('config', config);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorHandler);
  await app.register(cors, {
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'X-Request-Id'],
    exposedHeaders: corsExposedHeaders,
    maxAge: 600,
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'AI Model Playground API',
        version,
        description: 'Compare large language models side by side.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(db, { path: config.databasePath, url: config.databaseUrl });
  await app.register(repositories);
  await app.register(redis, deps.redis ?? {});
  await app.register(auth);
  await app.register(budgets);
  await app.register(providers, deps.providers ?? {});
  await app.register(sessions, deps.sessions ?? {});
  await app.register(shares);
  await app.register(metrics);
  await app.register(rateLimits);

  // Public routes.
  await app.register(rootRoutes);
  await app.register(authPublicRoutes);
  // The playground page is public; its API calls carry the bearer token the user gives it.
  await app.register(playgroundRoutes);
  // Shared links need no token: the unguessable id is the permission. The page and its modules too.
  await app.register(sharePublicRoutes);
  await app.register(sharePageRoutes);
  await app.register(browserModuleRoutes);
  // Routes of a verified user, under one per-user budget of RATE_LIMIT_MAX a minute, the stream too.
  await app.register(async (userApp) => {
    await userApp.register(userRateLimit);
    // A child context whose every route needs a bearer token (Encapsulation.md).
    await userApp.register(async (protectedApp) => {
      protectedApp.addHook('onRequest', app.authenticate);
      await protectedApp.register(authProtectedRoutes);
      await protectedApp.register(modelRoutes);
      await protectedApp.register(comparisonRoutes);
      await protectedApp.register(estimateRoutes);
      await protectedApp.register(usageRoutes);
      await protectedApp.register(comparisonExportRoutes);
      await protectedApp.register(shareProtectedRoutes);
      await protectedApp.register(voteRoutes);
    });
    // The stream authenticates differently (a ticket in the URL for EventSource), in its own context.
    await userApp.register(comparisonStreamRoutes);
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}
