// The engine on its own: concurrent models, endings, cancel, watchdog, batched writes, over :memory:.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { ProviderError } from '../../src/providers/types.js';
import { createSessionsRepository, type SessionProgress } from '../../src/repositories/sessions.js';
import { createUsersRepository } from '../../src/repositories/users.js';
import { ComparisonRunner } from '../../src/services/comparison-runner.js';
import { EventLogRegistry } from '../../src/services/event-log.js';
import { ProgressWriter } from '../../src/services/progress-writer.js';
import { type Script, scriptedProvider, testModel } from '../support/scripted-provider.js';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function engine(scripts: Record<string, Script>, { idleTimeoutMs = 5000, flushIntervalMs = 40 } = {}) {
  const { sqlite, db } = openDatabase(':memory:');
  createUsersRepository(db).upsert({ id: 'u1', email: null, name: null });
  const repo = createSessionsRepository(db);
  const writes: SessionProgress[][] = [];
  // Our own repository, counting its transactions: how many writes the engine makes.
  const counted = {
    ...repo,
    persist: (batch: SessionProgress[]) => {
      writes.push(batch);
      repo.persist(batch);
    },
  };
  const log = pino({ enabled: false });
  const logs = new EventLogRegistry(60_000);
  const writer = new ProgressWriter(counted, flushIntervalMs, log);
  const { provider, aborted } = scriptedProvider(scripts);
  const runner = new ComparisonRunner({ providerFor: () => provider, logs, writer, log, idleTimeoutMs });
  closers.push(() => {
    writer.close();
    logs.clear();
    sqlite.close();
  });
  const start = (modelIds: string[]) => {
    const sessionId = randomUUID();
    const responses = modelIds.map((modelId) => ({ id: randomUUID(), modelId, provider: 'demo' }));
    repo.create({ id: sessionId, userId: 'u1', prompt: 'Why is the sky blue?', responses });
    return runner.start({
      sessionId,
      userId: 'u1',
      prompt: 'Why is the sky blue?',
      models: responses.map((r) => ({ responseId: r.id, model: testModel(r.modelId) })),
    });
  };
  const stored = (sessionId: string) => {
    const found = repo.findForUser('u1', sessionId);
    if (!found) throw new Error('session not stored');
    return found;
  };
  return { runner, repo, start, stored, writes, aborted };
}

const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i} `);

function chunksOf(run: { log: { events: { event: string; data: string }[] } }, modelId: string) {
  return run.log.events
    .filter((e) => e.event === 'model_chunk')
    .map((e) => JSON.parse(e.data) as { modelId: string; chunk: string })
    .filter((d) => d.modelId === modelId)
    .map((d) => d.chunk)
    .join('');
}

describe('comparison runner', () => {
  it('runs every model at once and ends with comparison_complete; ids increase by one', async () => {
    const e = engine({ a: { chunks: words(20, 'a') }, b: { chunks: words(5, 'b'), intervalMs: 5 } });
    const run = e.start(['a', 'b']);
    await run.settled;
    const events = run.log.events;
    expect(events.map((x) => x.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.event).toBe('comparison_complete');
    expect(events.filter((x) => x.event === 'model_complete')).toHaveLength(2);
    // Both models interleave: b's chunks are not held back behind a's.
    const firstB = events.findIndex((x) => x.data.includes('"modelId":"b"'));
    const lastA = events.findLastIndex((x) => x.event === 'model_chunk' && x.data.includes('"modelId":"a"'));
    expect(firstB).toBeLessThan(lastA);
    const { session, responses } = e.stored(run.request.sessionId);
    expect(session.status).toBe('completed');
    expect(session.finalEventId).toBe(events.length);
    for (const r of responses) {
      expect(r.status).toBe('completed');
      expect(r.response).toBe(chunksOf(run, r.modelId));
      expect(r.outputTokens).toBeGreaterThan(0);
      expect(r.responseTimeMs).toBeGreaterThanOrEqual(0);
      expect(r.timeToFirstTokenMs).not.toBeNull();
    }
    const final = JSON.parse(events.at(-1)?.data ?? '{}');
    expect(final.metrics.totalTokens).toBe(responses.reduce((s, r) => s + r.inputTokens + r.outputTokens, 0));
  });

  it('writes in batches, not once per chunk', async () => {
    const e = engine({
      a: { chunks: words(200, 'a'), intervalMs: 1 },
      b: { chunks: words(200, 'b'), intervalMs: 1 },
    });
    const run = e.start(['a', 'b']);
    await run.settled;
    const chunkEvents = run.log.events.filter((x) => x.event === 'model_chunk').length;
    expect(chunkEvents).toBe(400);
    expect(e.writes.length).toBeLessThan(chunkEvents / 4);
    expect(e.repo.eventsAfter(run.request.sessionId, 0)).toHaveLength(run.log.events.length);
  });

  it('one model failing does not stop the other; its partial text is kept', async () => {
    const e = engine({
      ok: { chunks: words(10, 'ok') },
      bad: {
        chunks: words(10, 'bad'),
        failAfter: {
          chunks: 3,
          error: new ProviderError('overloaded', 'The provider is overloaded', 'demo'),
        },
      },
    });
    const run = e.start(['ok', 'bad']);
    await run.settled;
    const errors = run.log.events.filter((x) => x.event === 'model_error').map((x) => JSON.parse(x.data));
    expect(errors).toEqual([
      expect.objectContaining({ modelId: 'bad', error: 'The provider is overloaded' }),
    ]);
    expect(run.log.events.at(-1)?.event).toBe('comparison_complete');
    const { session, responses } = e.stored(run.request.sessionId);
    expect(session.status).toBe('completed');
    const bad = responses.find((r) => r.modelId === 'bad');
    expect(bad?.status).toBe('error');
    expect(bad?.errorMessage).toBe('The provider is overloaded');
    expect(bad?.response).toBe('bad0 bad1 bad2 ');
  });

  it('every model failing ends with comparison_error and a failed session', async () => {
    const fail = new ProviderError('authentication', 'The provider rejected our key', 'demo');
    const e = engine({
      a: { chunks: ['x'], failAfter: { chunks: 0, error: fail } },
      b: { chunks: ['y'], failAfter: { chunks: 1, error: fail } },
    });
    const run = e.start(['a', 'b']);
    await run.settled;
    const last = run.log.events.at(-1);
    expect(last?.event).toBe('comparison_error');
    expect(JSON.parse(last?.data ?? '{}').error).toBe('Every model failed');
    expect(e.stored(run.request.sessionId).session.status).toBe('failed');
  });

  it('cancel aborts every running model, even one whose iterator ends quietly', async () => {
    const e = engine({
      a: { chunks: words(1000, 'a'), intervalMs: 5 },
      b: { chunks: words(1000, 'b'), intervalMs: 5, quietOnAbort: true },
    });
    const run = e.start(['a', 'b']);
    await new Promise((r) => setTimeout(r, 30));
    expect(e.runner.cancel(run.request.sessionId)).toBe(true);
    await run.settled;
    expect([...e.aborted].sort()).toEqual(['a', 'b']);
    const endings = run.log.events
      .filter((x) => x.event !== 'model_chunk')
      .map((x) => [x.event, JSON.parse(x.data).error]);
    expect(endings).toEqual([
      ['model_error', 'cancelled'],
      ['model_error', 'cancelled'],
      ['comparison_error', 'cancelled'],
    ]);
    const { session, responses } = e.stored(run.request.sessionId);
    expect(session.status).toBe('cancelled');
    for (const r of responses) {
      expect(r.status).toBe('cancelled');
      expect(r.response).toBe(chunksOf(run, r.modelId));
    }
    // Nothing trickles in after the end.
    const n = run.log.events.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(run.log.events.length).toBe(n);
    expect(e.runner.cancel(run.request.sessionId)).toBe(false);
  });

  it('a model that goes silent is ended by the watchdog; the other completes', async () => {
    const e = engine(
      { hang: { chunks: words(5, 'h'), hangAfter: 2 }, ok: { chunks: words(5, 'ok') } },
      { idleTimeoutMs: 150 },
    );
    const run = e.start(['hang', 'ok']);
    await run.settled;
    expect(e.aborted.has('hang')).toBe(true);
    const { responses } = e.stored(run.request.sessionId);
    const hung = responses.find((r) => r.modelId === 'hang');
    expect(hung?.status).toBe('error');
    expect(hung?.errorMessage).toMatch(/sent nothing/);
    expect(hung?.response).toBe('h0 h1 ');
    expect(run.log.events.at(-1)?.event).toBe('comparison_complete');
  });

  it('shutdown lets short runs finish within the grace period and cancels the rest', async () => {
    const e = engine({
      short: { chunks: words(3, 's') },
      long: { chunks: words(1000, 'l'), intervalMs: 10 },
    });
    const quick = e.start(['short']);
    const slow = e.start(['long']);
    await e.runner.shutdown(100, 'Cancelled: the server shut down');
    expect(e.stored(quick.request.sessionId).session.status).toBe('completed');
    const { session } = e.stored(slow.request.sessionId);
    expect(session.status).toBe('cancelled');
    expect(session.errorMessage).toBe('Cancelled: the server shut down');
    expect(e.runner.active).toBe(0);
  });
});
