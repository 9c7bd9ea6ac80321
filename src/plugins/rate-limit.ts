// Rate limits in two layers: a coarse per-IP limit before any token is verified (floods of bad tokens
// stay cheap), and RATE_LIMIT_MAX per minute per verified user on every route that has one.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Errors } from '../errors.js';
import type { AuthUser } from '../repositories/types.js';
import { redisRateLimitStore } from '../services/redis-rate-limit-store.js';

const ONE_MINUTE = 60_000;
/** The per-IP limit is this many times the per-user one: several users may share an address (NAT). */
export const IP_LIMIT_FACTOR = 10;

const tooMany = (_request: FastifyRequest, context: { after: string }) =>
  new Errors.RateLimited(context.after);

/**
 * With REDIS_URL the counters live in Redis, so a limit holds across instances; a Redis that does not
 * answer lets requests through (skipOnError) rather than failing every route. In memory otherwise.
 */
function storeOptions(app: FastifyInstance, namespace: string) {
  return app.redis ? { store: redisRateLimitStore(app.redis, namespace), skipOnError: true } : {};
}

/** Root plugin: the per-IP limit, as the first onRequest hook of every route, 404s included. */
export default fp(
  async (app) => {
    // Not global: this instance's onRoute hook would add a route-level hook, and route-level
    // onRequest hooks run after the protected context's authentication hook.
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: tooMany,
      ...storeOptions(app, 'ip'),
    });
    app.addHook(
      'onRequest',
      app.rateLimit({ max: app.config.rateLimitMax * IP_LIMIT_FACTOR, timeWindow: ONE_MINUTE }),
    );
  },
  { name: 'rate-limit', dependencies: ['redis'] },
);

/**
 * For the context of the user's routes (the bearer-protected ones and the ticket-authenticated
 * stream): per user, in preHandler so that their authentication hooks have verified the user. One
 * store for all of them, so the stream counts against the same budget. A second instance of the
 * plugin, because one instance lets a request through only one of its limiters.
 */
export const userRateLimit = fp(
  async (app) => {
    await app.register(rateLimit, {
      global: true,
      hook: 'preHandler',
      max: app.config.rateLimitMax,
      timeWindow: ONE_MINUTE,
      keyGenerator: (request) => {
        const user = request.user as AuthUser | null;
        return user?.id ? `user:${user.id}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: tooMany,
      ...storeOptions(app, 'user'),
    });
  },
  { name: 'user-rate-limit', dependencies: ['auth', 'rate-limit'] },
);
