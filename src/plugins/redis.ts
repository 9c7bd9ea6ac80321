// The Redis connections of one app (REDIS_URL): commands, blocking stream reads, pub/sub; absent without it.
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

/** Internal knobs: tests give each app a key prefix of their own (and clean it up). */
export interface RedisOptions {
  keyPrefix: string;
  /** How long one XREAD waits for new events; the reading client's command timeout is longer. */
  blockMs: number;
  /** Commands that get no answer in this long fail (and are retried by their caller). */
  commandTimeoutMs: number;
  /** At start-up: a Redis that does not answer within this long stops the app with one clear line. */
  startupTimeoutMs: number;
}

export const defaultRedisOptions: RedisOptions = {
  keyPrefix: 'amp:',
  blockMs: 5000,
  commandTimeoutMs: 5000,
  startupTimeoutMs: 10_000,
};

export interface RedisConnections {
  /** Commands and scripts: appends, leases, admission, rate limits. */
  command: RedisClient;
  /** XREAD BLOCK only: a blocked connection answers nothing else. */
  blocking: RedisClient;
  /** SUBSCRIBE only: the client resubscribes by itself after a reconnect. */
  subscriber: RedisClient;
  /** This instance, as it names itself in leases. */
  instanceId: string;
  options: RedisOptions;
  key(...parts: string[]): string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Null in a single process (no REDIS_URL). */
    redis: RedisConnections | null;
  }
}

/** Reconnects for ever, quickly at first: a Redis restart must not end the app. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 1000);

/** One line per connection state change, not one per failed attempt; never the URL (it may hold a password). */
function watch(client: RedisClient, role: string, log: FastifyBaseLogger): void {
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ role, err: err.message }, 'redis connection lost; reconnecting');
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({ role }, 'redis connection back');
  });
}

export async function connectRedis(
  url: string,
  options: RedisOptions,
  log: FastifyBaseLogger,
): Promise<RedisConnections> {
  const command: RedisClient = createClient({
    url,
    socket: { reconnectStrategy, connectTimeout: 5000 },
    commandOptions: { timeout: options.commandTimeoutMs },
  });
  const blocking: RedisClient = command.duplicate({
    commandOptions: { timeout: options.blockMs + options.commandTimeoutMs },
  });
  const subscriber: RedisClient = command.duplicate({ commandOptions: {} });
  watch(command, 'command', log);
  watch(blocking, 'blocking', log);
  watch(subscriber, 'subscriber', log);
  // The client would retry for ever: at start-up a wrong address must fail instead of hanging.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const { host, port } = new URL(url);
      reject(
        new Error(
          `REDIS_URL: Redis at ${host}${port ? '' : ':6379'} did not answer within ${options.startupTimeoutMs} ms`,
        ),
      );
    }, options.startupTimeoutMs);
  });
  try {
    await Promise.race([Promise.all([command.connect(), blocking.connect(), subscriber.connect()]), timeout]);
  } catch (err) {
    for (const c of [command, blocking, subscriber]) if (c.isOpen) c.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    command,
    blocking,
    subscriber,
    instanceId: randomUUID(),
    options,
    key: (...parts) => options.keyPrefix + parts.join(':'),
  };
}

export interface RedisHealth {
  reachable: boolean;
  /** How long a PING took, when it answered. */
  latencyMs: number | null;
  problem: string | null;
}

/**
 * A PING on the command connection, for /health and /metrics. A connection that is down is not
 * pinged (the command would queue until it is back): it is reported at once. Never longer than
 * `timeoutMs`; the message names no address (REDIS_URL may hold a password).
 */
export async function redisHealth(r: RedisConnections, timeoutMs = 1000): Promise<RedisHealth> {
  if (!r.command.isReady)
    return { reachable: false, latencyMs: null, problem: 'Redis connection lost; reconnecting' };
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  try {
    const answer = await Promise.race([r.command.ping(), late]);
    if (answer === 'late')
      return {
        reachable: false,
        latencyMs: null,
        problem: `Redis did not answer a PING within ${timeoutMs} ms`,
      };
    return { reachable: true, latencyMs: Math.round((performance.now() - start) * 100) / 100, problem: null };
  } catch {
    return { reachable: false, latencyMs: null, problem: 'Redis refused a PING' };
  } finally {
    clearTimeout(timer);
  }
}

export async function closeRedis(r: RedisConnections): Promise<void> {
  // A blocked XREAD would hold close() for its whole block time: that connection is dropped.
  if (r.blocking.isOpen) r.blocking.destroy();
  // One that is not connected (Redis away) would wait for its queued commands for ever: dropped too.
  for (const c of [r.subscriber, r.command]) if (c.isOpen && !c.isReady) c.destroy();
  await Promise.allSettled([r.subscriber, r.command].map((c) => (c.isOpen ? c.close() : Promise.resolve())));
}

export default fp<Partial<RedisOptions>>(
  async (app, opts) => {
    const url = app.config.redis?.url;
    if (!url) {
      app.decorate('redis', null);
      return;
    }
    const r = await connectRedis(url, { ...defaultRedisOptions, ...opts }, app.log);
    app.decorate('redis', r);
    app.addHook('onClose', async () => closeRedis(r));
  },
  { name: 'redis' },
);
