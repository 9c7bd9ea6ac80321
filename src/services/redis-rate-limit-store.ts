// A @fastify/rate-limit store over the `redis` client (its own Redis store expects ioredis): limits hold across instances.
import type {
  FastifyRateLimitOptions,
  FastifyRateLimitStore,
  FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import type { RedisConnections } from '../plugins/redis.js';
import { rateLimitScript, runScript } from './redis-scripts.js';

/** The store class @fastify/rate-limit instantiates (it takes only options, so the client is closed over). */
export function redisRateLimitStore(redis: RedisConnections, namespace: string): FastifyRateLimitStoreCtor {
  class RedisRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options: FastifyRateLimitOptions,
      private readonly prefix = redis.key('rate', namespace),
    ) {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      // Redis away: the client would queue the script until its command timeout (5 s) and every
      // request would wait that long before skipOnError lets it through; fail at once instead.
      if (!redis.command.isReady) {
        callback(new Error('redis is not connected'));
        return;
      }
      runScript<[number, number]>(
        redis.command,
        rateLimitScript,
        [`${this.prefix}:${key}`],
        [timeWindow],
      ).then(
        ([current, ttl]) => callback(null, { current, ttl }),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    }

    /** A route's own limit (or `app.rateLimit(...)`'s, whose route info is empty): its own counters. */
    child(options: object): FastifyRateLimitStore {
      // The plugin passes its merged parameters, the route under `routeInfo` (typed as route options).
      const info: { method?: unknown; url?: unknown } =
        'routeInfo' in options && typeof options.routeInfo === 'object' && options.routeInfo !== null
          ? options.routeInfo
          : {};
      const method = Array.isArray(info.method) ? info.method.join(',') : String(info.method ?? '');
      return new RedisRateLimitStore({}, `${this.prefix}:${method}${String(info.url ?? '')}`);
    }
  }
  return RedisRateLimitStore;
}
