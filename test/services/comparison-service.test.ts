// The comparison service over an asynchronous store: the running limit holds under concurrent starts.
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import type { ModelInfo } from '../../src/providers/types.js';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';
import { createSqliteUserStore } from '../../src/repositories/sqlite/user-store.js';
import type { SessionStore } from '../../src/repositories/types.js';
import { ComparisonRunner } from '../../src/services/comparison-runner.js';
import { createComparisonService } from '../../src/services/comparison-service.js';
import { EventLogRegistry } from '../../src/services/event-log.js';
import { ProgressWriter } from '../../src/services/progress-writer.js';
import { scriptedProvider, testModel } from '../support/scripted-provider.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The service over real SQLite behind a store whose create takes `createDelayMs`, as a remote database's would. */
async function service({ createDelayMs = 30, failCreates = 0, maxRunningPerUser = 2 } = {}) {
  const opened = openDatabase(':memory:');
  await createSqliteUserStore(opened.db).upsert({ id: 'u1', email: null, name: null });
  await createSqliteUserStore(opened.db).upsert({ id: 'u2', email: null, name: null });
  const sqlite = createSqliteSessionStore(opened.db);
  let failures = failCreates;
  const store: SessionStore = {
    ...sqlite,
    async create(session) {
      await sleep(createDelayMs);
      if (failures-- > 0) throw new Error('connection reset');
      return sqlite.create(session);
    },
  };
  const log = pino({ enabled: false });
  const logs = new EventLogRegistry(60_000);
  const writer = new ProgressWriter(store, 20, log);
  const model = testModel('slow');
  const { provider } = scriptedProvider({ slow: { chunks: Array(30).fill('w '), intervalMs: 10 } });
  const runner = new ComparisonRunner({
    providerFor: () => provider,
    logs,
    log,
    idleTimeoutMs: 5000,
    maxResponseChars: 100_000,
    followers: [
      (run) =>
        writer.follow({
          sessionId: run.request.sessionId,
          log: run.log,
          responseIds: new Map(run.models.map((m) => [m.model.id, m.responseId])),
        }),
    ],
  });
  const models = {
    available: (): ModelInfo[] => [model],
    get: (id: string) => (id === model.id ? model : undefined),
    providerFor: () => provider,
  };
  const comparisons = createComparisonService({
    store,
    runner,
    logs,
    models,
    signTicket: (userId, sessionId) => `${userId}:${sessionId}`,
    maxRunningPerUser,
  });
  closers.push(async () => {
    await runner.shutdown(0, 'test over');
    await writer.close();
    logs.clear();
    await opened.close();
  });
  const start = (userId = 'u1') => comparisons.start(userId, { prompt: 'Why?', modelIds: ['slow'] });
  return { comparisons, runner, start, sqlite, logs };
}

const outcomes = (results: PromiseSettledResult<unknown>[]) => ({
  admitted: results.filter((r) => r.status === 'fulfilled').length,
  refused: results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => (r.reason as { statusCode?: number }).statusCode),
});

describe('comparison service', () => {
  it('admits exactly MAX_RUNNING_PER_USER of many concurrent starts while the store is slow to create', async () => {
    const s = await service({ createDelayMs: 30 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => s.start()));
    expect(outcomes(results)).toEqual({ admitted: 2, refused: [429, 429, 429, 429, 429, 429] });
    expect((await s.sqlite.listForUser('u1', 100, 0)).total).toBe(2);
    expect(s.comparisons.runningFor('u1')).toBe(2);
    // Another user has a limit of their own.
    expect(outcomes(await Promise.allSettled([s.start('u2'), s.start('u2'), s.start('u2')]))).toEqual({
      admitted: 2,
      refused: [429],
    });
  });

  it('frees the place again once a run ends, and after a start whose store write failed', async () => {
    const s = await service({ createDelayMs: 5, failCreates: 1 });
    const failed = await Promise.allSettled([s.start()]);
    expect(failed[0]?.status).toBe('rejected');
    expect(s.comparisons.runningFor('u1')).toBe(0);
    const first = await s.start();
    await s.start();
    await expect(s.start()).rejects.toMatchObject({ statusCode: 429 });
    await s.comparisons.cancel('u1', first.sessionId);
    expect(s.comparisons.runningFor('u1')).toBe(1);
    const third = await s.start();
    expect(third.status).toBe('in_progress');
  });

  it('a cancel answers with the final status once it is stored, and a stream past the final event gets nothing', async () => {
    const s = await service({ createDelayMs: 0 });
    const { sessionId } = await s.start();
    expect(await s.comparisons.cancel('u1', sessionId)).toEqual({ sessionId, status: 'cancelled' });
    const target = await s.comparisons.streamTarget('u1', sessionId, 0);
    expect(target.kind).toBe('stream');
    const finalId = target.kind === 'stream' ? target.log.lastId : -1;
    expect(await s.comparisons.streamTarget('u1', sessionId, finalId)).toEqual({ kind: 'ended' });
    await expect(s.comparisons.streamTarget('u2', sessionId, 0)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a running session streams from the running log to its owner, and is not found for anyone else', async () => {
    const s = await service({ createDelayMs: 0 });
    const { sessionId } = await s.start();
    const target = await s.comparisons.streamTarget('u1', sessionId, 0);
    expect(target.kind === 'stream' && target.log).toBe(s.runner.get(sessionId)?.log);
    expect(target.kind === 'stream' && target.view.key).toBe('owner');
    await expect(s.comparisons.streamTarget('u2', sessionId, 0)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('a start caught by shutdown while its session is being stored answers 503 and leaves no session running', async () => {
    const s = await service({ createDelayMs: 50 });
    const starting = s.start();
    await sleep(10);
    s.comparisons.stopAccepting();
    await expect(starting).rejects.toMatchObject({ statusCode: 503 });
    expect(s.comparisons.runningFor('u1')).toBe(0);
    // The user's history must not show a comparison that runs for ever (or until the next restart).
    const { sessions, responses } = await s.sqlite.listForUser('u1', 10, 0);
    for (const session of sessions) expect(session.status).not.toBe('in_progress');
    for (const r of responses) expect(['pending', 'streaming']).not.toContain(r.status);
    expect(await s.sqlite.findInterrupted()).toEqual([]);
  });
});
