// Mirrors of remote sessions against a real Redis: store, then stream, then live; gaps filled from the store.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  defaultRedisOptions,
  type RedisConnections,
} from '../../src/plugins/redis.js';
import type { StoredEvent } from '../../src/repositories/types.js';
import { RemoteStreams } from '../../src/services/redis-mirror.js';
import { deleteKeys, redisAnswers, SHARED_REDIS_URL } from '../support/cluster.js';

const redisUp = await redisAnswers();
const log = pino({ enabled: false });
const prefix = `test:mirror:${randomUUID().slice(0, 8)}:`;
let redis: RedisConnections;

const chunkEvent = (id: number): StoredEvent => ({
  id,
  event: 'model_chunk',
  data: JSON.stringify({ sessionId: 's', modelId: 'm', chunk: `c${id}`, timestamp: 't' }),
});
const finalEvent = (id: number): StoredEvent => ({
  id,
  event: 'comparison_error',
  data: JSON.stringify({ sessionId: 's', error: 'cancelled', status: 'cancelled', timestamp: 't' }),
});

beforeAll(async () => {
  if (!redisUp) return;
  redis = await connectRedis(
    SHARED_REDIS_URL,
    { ...defaultRedisOptions, keyPrefix: prefix, blockMs: 500 },
    log,
  );
});
afterAll(async () => {
  if (!redisUp) return;
  await closeRedis(redis);
  await deleteKeys(SHARED_REDIS_URL, prefix);
});

describe.skipIf(!redisUp)('RemoteStreams', () => {
  it('joins the store, the stream and live events without a gap or a duplicate; a gap in the stream comes from the store', async () => {
    const sessionId = randomUUID();
    const key = redis.key('stream', sessionId);
    const xadd = (e: StoredEvent) =>
      redis.command.sendCommand(['XADD', key, `0-${e.id}`, 'e', e.event, 'd', e.data]);
    const store = [1, 2, 3, 4, 5, 6].map(chunkEvent);
    // The stream holds 1..3 (the store has them too), then, as after a Redis restart, again from 6.
    for (const id of [1, 2, 3]) await xadd(chunkEvent(id));
    const dropped: [string, boolean][] = [];
    const mirrors = new RemoteStreams(
      redis,
      {
        staleMs: 60_000,
        unreadMs: 60_000,
        endedInStore: async () => undefined,
        storedAfter: async (_id, afterId) => store.filter((e) => e.id > afterId),
        onDropped: (id, finished) => dropped.push([id, finished]),
      },
      log,
    );
    const mirror = await mirrors.mirror(sessionId, store.slice(0, 2));
    expect(mirror.lastId).toBe(3);
    const unsubscribe = mirror.subscribe(() => {});
    await xadd(chunkEvent(6));
    await xadd(chunkEvent(7));
    await xadd(finalEvent(8));
    const deadline = Date.now() + 5000;
    while (!mirror.finished && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mirror.eventsAfter(0).map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(mirror.finishedVisible).toBe(true);
    unsubscribe();
    await mirrors.close();
    expect(dropped).toEqual([[sessionId, true]]);
  });
});
