// The Redis publisher against a real Redis: one fenced script call per turn, nothing visible before Redis has it.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  defaultRedisOptions,
  type RedisConnections,
} from '../../src/plugins/redis.js';
import type { ComparisonEvent } from '../../src/services/comparison-events.js';
import { SessionEventLog } from '../../src/services/event-log.js';
import { RedisPublisher } from '../../src/services/redis-publisher.js';
import { deleteKeys, redisAnswers, SHARED_REDIS_URL } from '../support/cluster.js';

const redisUp = await redisAnswers();
const log = pino({ enabled: false });
const chunk = (text: string): ComparisonEvent => ({
  type: 'model_chunk',
  modelId: 'm',
  chunk: text,
  timestamp: 't',
});
const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

let redis: RedisConnections;
const prefix = `test:pub:${randomUUID().slice(0, 8)}:`;

beforeAll(async () => {
  if (!redisUp) return;
  redis = await connectRedis(SHARED_REDIS_URL, { ...defaultRedisOptions, keyPrefix: prefix }, log);
});
afterAll(async () => {
  if (!redisUp) return;
  await closeRedis(redis);
  await deleteKeys(SHARED_REDIS_URL, prefix);
});

function publisherWith(lost: string[] = [], done: string[] = []) {
  return new RedisPublisher(
    redis,
    { streamTtlMs: 60_000, retryMs: 50, onLost: (id) => lost.push(id), onDone: (id) => done.push(id) },
    log,
  );
}

/** Counts the scripts the client runs (EVALSHA/EVAL), by wrapping its sendCommand. */
function countScripts(): { calls: () => number; restore: () => void } {
  const client = redis.command;
  const original = client.sendCommand.bind(client);
  let n = 0;
  client.sendCommand = ((args, options) => {
    if (args[0] === 'EVALSHA' || args[0] === 'EVAL') n++;
    return original(args, options);
  }) as typeof client.sendCommand;
  return { calls: () => n, restore: () => (client.sendCommand = original) };
}

describe.skipIf(!redisUp)('RedisPublisher', () => {
  it('appends what one turn of the event loop added in one script call, with our ids, and only then shows it', async () => {
    const sessionId = randomUUID();
    await redis.command.set(redis.key('lease', sessionId), redis.instanceId);
    const eventLog = new SessionEventLog(sessionId);
    const publisher = publisherWith();
    // A Redis that never ran the script answers the first EVALSHA with NOSCRIPT and the client
    // sends it again as EVAL: one publish, two commands. A warm-up publish loads it first.
    const warmId = randomUUID();
    await redis.command.set(redis.key('lease', warmId), redis.instanceId);
    const warm = new SessionEventLog(warmId);
    publisher.follow(warmId, warm);
    warm.append(chunk('warm-up'));
    await until(() => warm.visibleLastId === 1);
    publisher.unfollow(warmId);
    publisher.follow(sessionId, eventLog);
    const counter = countScripts();
    try {
      for (let i = 0; i < 500; i++) eventLog.append(chunk(`c${i}`));
      expect(eventLog.visibleLastId).toBe(0);
      await until(() => eventLog.visibleLastId === 500);
      expect(counter.calls()).toBe(1);
    } finally {
      counter.restore();
    }
    const entries = await redis.command.sendCommand<[string, string[]][]>([
      'XRANGE',
      redis.key('stream', sessionId),
      '-',
      '+',
    ]);
    expect(entries).toHaveLength(500);
    expect(entries[0]?.[0]).toBe('0-1');
    expect(entries.at(-1)?.[0]).toBe('0-500');
    expect(entries[1]?.[1]).toEqual(['e', 'model_chunk', 'd', eventLog.events[1]?.data]);
    publisher.unfollow(sessionId);
  });

  it('is fenced: with another owner in the lease nothing is written and the run is given up', async () => {
    const sessionId = randomUUID();
    await redis.command.set(redis.key('lease', sessionId), 'another-instance');
    const lost: string[] = [];
    const eventLog = new SessionEventLog(sessionId);
    publisherWith(lost).follow(sessionId, eventLog);
    eventLog.append(chunk('x'));
    await until(() => lost.length === 1);
    expect(lost).toEqual([sessionId]);
    expect(eventLog.visibleLastId).toBe(0);
    expect(await redis.command.exists(redis.key('stream', sessionId))).toBe(0);
  });

  it('waits while there is no lease (Redis restarted) and goes on once it is taken again; retries skip what is there', async () => {
    const sessionId = randomUUID();
    const done: string[] = [];
    const eventLog = new SessionEventLog(sessionId);
    const publisher = publisherWith([], done);
    publisher.follow(sessionId, eventLog);
    eventLog.append(chunk('a'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(eventLog.visibleLastId).toBe(0);
    await redis.command.set(redis.key('lease', sessionId), redis.instanceId);
    await until(() => eventLog.visibleLastId === 1);
    // Appending again from the store's watermark (as after a restart) adds nothing twice.
    publisher.republish(sessionId);
    eventLog.append({
      type: 'comparison_error',
      error: 'x',
      status: 'failed',
      errorMessage: 'x',
      timestamp: 't',
    });
    eventLog.markStored(2);
    await until(() => done.length === 1);
    const ids = await redis.command.sendCommand<[string, string[]][]>([
      'XRANGE',
      redis.key('stream', sessionId),
      '-',
      '+',
    ]);
    expect(ids.map(([id]) => id)).toEqual(['0-1', '0-2']);
    expect(eventLog.finishedVisible).toBe(true);
  });
});
