// The redis plugin: absent without REDIS_URL, one clear start-up error (never the password) when Redis does not answer.
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../helper.js';
import { redisAnswers, SHARED_REDIS_URL } from '../support/cluster.js';

const redisUp = await redisAnswers();

describe('redis plugin', () => {
  it('is null without REDIS_URL: one process, nothing shared', async () => {
    const app = await buildApp(testConfig());
    await app.ready();
    expect(app.redis).toBeNull();
    await app.close();
  });

  it('stops the start-up with one line naming the address, not the password, when Redis does not answer', async () => {
    const start = buildApp(testConfig({ REDIS_URL: 'redis://:hunter2-secret@127.0.0.1:1' }), {
      redis: { startupTimeoutMs: 300 },
    });
    await expect(start).rejects.toThrow('REDIS_URL: Redis at 127.0.0.1:1 did not answer within 300 ms');
    await start.catch((err: Error) => expect(err.message).not.toContain('hunter2'));
  });

  it.skipIf(!redisUp)('connects three clients and closes them with the app', async () => {
    const app = await buildApp(testConfig({ REDIS_URL: SHARED_REDIS_URL }), {
      redis: { keyPrefix: 'test:plugin:' },
    });
    await app.ready();
    const r = app.redis;
    if (!r) throw new Error('redis expected');
    expect([r.command.isReady, r.blocking.isReady, r.subscriber.isReady]).toEqual([true, true, true]);
    expect(r.key('lease', 's1')).toBe('test:plugin:lease:s1');
    // /health pings it: reachable, with the PING's time, and still 200.
    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().status).toBe('ok');
    expect(health.json().redis).toMatchObject({ reachable: true, problem: null });
    expect(health.json().redis.latencyMs).toBeGreaterThanOrEqual(0);
    await app.close();
    expect([r.command.isOpen, r.blocking.isOpen, r.subscriber.isOpen]).toEqual([false, false, false]);
  });
});
