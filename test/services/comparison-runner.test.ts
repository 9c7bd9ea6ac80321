// The engine on its own: concurrent models, endings, cancel, watchdog, caps, text integrity, batched writes.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { type ChatMessage, ProviderError } from '../../src/providers/types.js';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';
import { createSqliteUserStore } from '../../src/repositories/sqlite/user-store.js';
import type { SessionProgress, SessionStore } from '../../src/repositories/types.js';
import { ComparisonRunner, type SessionRun } from '../../src/services/comparison-runner.js';
import { EventLogRegistry } from '../../src/services/event-log.js';
import { ProgressWriter } from '../../src/services/progress-writer.js';
import { type Script, scriptedProvider, testModel } from '../support/scripted-provider.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

interface EngineOptions {
  idleTimeoutMs?: number;
  flushIntervalMs?: number;
  maxResponseChars?: number;
}

async function engine(
  scripts: Record<string, Script>,
  { idleTimeoutMs = 5000, flushIntervalMs = 40, maxResponseChars = 1_000_000 }: EngineOptions = {},
) {
  const opened = openDatabase(':memory:');
  await createSqliteUserStore(opened.db).upsert({ id: 'u1', email: null, name: null });
  const store = createSqliteSessionStore(opened.db);
  const writes: SessionProgress[][] = [];
  // The store, counting its transactions: how many writes the engine makes.
  const counted: SessionStore = {
    ...store,
    persist: async (batch) => {
      writes.push(batch);
      await store.persist(batch);
    },
  };
  const log = pino({ enabled: false });
  const logs = new EventLogRegistry(60_000);
  const writer = new ProgressWriter(counted, flushIntervalMs, log);
  const { provider, aborted, requests } = scriptedProvider(scripts);
  const runner = new ComparisonRunner({
    providerFor: () => provider,
    logs,
    log,
    idleTimeoutMs,
    maxResponseChars,
    followers: [
      (run) =>
        writer.follow({
          sessionId: run.request.sessionId,
          log: run.log,
          responseIds: new Map(run.models.map((m) => [m.model.id, m.responseId])),
        }),
    ],
  });
  closers.push(async () => {
    await writer.close();
    logs.clear();
    await opened.close();
  });
  const defaultMessages: ChatMessage[] = [{ role: 'user', content: 'Why is the sky blue?' }];
  const start = async (
    modelIds: string[],
    messagesOf: (modelId: string) => ChatMessage[] = () => defaultMessages,
  ) => {
    const sessionId = randomUUID();
    const responses = modelIds.map((modelId) => ({ id: randomUUID(), modelId, provider: 'demo' }));
    await store.create({ id: sessionId, userId: 'u1', prompt: 'Why is the sky blue?', responses });
    return runner.start({
      sessionId,
      userId: 'u1',
      models: responses.map((r) => ({
        responseId: r.id,
        model: testModel(r.modelId),
        messages: messagesOf(r.modelId),
      })),
    });
  };
  const stored = async (sessionId: string) => {
    const found = await store.findForUser('u1', sessionId);
    if (!found) throw new Error('session not stored');
    return found;
  };
  return { runner, store, writer, start, stored, writes, aborted, requests };
}

const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i} `);
const types = (run: SessionRun) => run.log.events.map((e) => e.event.type);

/** What a client saw of one model: its chunks joined, or its reasoning chunks joined. */
function chunksOf(run: SessionRun, modelId: string, type: 'model_chunk' | 'model_reasoning' = 'model_chunk') {
  let text = '';
  for (const { event: e } of run.log.events) if (e.type === type && e.modelId === modelId) text += e.chunk;
  return text;
}

function endingOf(run: SessionRun, modelId: string) {
  for (const { event: e } of run.log.events)
    if ((e.type === 'model_complete' || e.type === 'model_error') && e.modelId === modelId) return e;
  return undefined;
}

describe('comparison runner', () => {
  it('runs every model at once and ends with comparison_complete; ids increase by one', async () => {
    const e = await engine({ a: { chunks: words(20, 'a') }, b: { chunks: words(5, 'b'), intervalMs: 5 } });
    const run = await e.start(['a', 'b']);
    await run.log.finalStored;
    const events = run.log.events;
    expect(events.map((x) => x.id)).toEqual(events.map((_, i) => i + 1));
    expect(types(run).at(-1)).toBe('comparison_complete');
    expect(types(run).filter((t) => t === 'model_complete')).toHaveLength(2);
    // Both models interleave: b's chunks are not held back behind a's.
    const firstB = events.findIndex((x) => 'modelId' in x.event && x.event.modelId === 'b');
    const lastA = events.findLastIndex((x) => x.event.type === 'model_chunk' && x.event.modelId === 'a');
    expect(firstB).toBeLessThan(lastA);
    const { session, responses } = await e.stored(run.request.sessionId);
    expect(session.status).toBe('completed');
    expect(session.finalEventId).toBe(events.length);
    for (const r of responses) {
      expect(r.status).toBe('completed');
      expect(r.finishReason).toBe('stop');
      expect(r.response).toBe(chunksOf(run, r.modelId));
      expect(r.outputTokens).toBeGreaterThan(0);
      expect(r.responseTimeMs).toBeGreaterThanOrEqual(0);
      expect(r.timeToFirstTokenMs).not.toBeNull();
      expect(r.costSource).toBe('computed');
      expect(endingOf(run, r.modelId)).toMatchObject({ metrics: { finishReason: 'stop' } });
    }
    const final = events.at(-1)?.event;
    expect(final?.type === 'comparison_complete' && final.metrics.totalTokens).toBe(
      responses.reduce((s, r) => s + r.inputTokens + r.outputTokens, 0),
    );
    expect(e.runner.active).toBe(0);
  });

  it('sends each model its own messages', async () => {
    const e = await engine({ a: { chunks: ['x'] }, b: { chunks: ['y'] } });
    const history: Record<string, ChatMessage[]> = {
      a: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello from a' },
        { role: 'user', content: 'More' },
      ],
      b: [{ role: 'user', content: 'Only b' }],
    };
    const run = await e.start(['a', 'b'], (id) => history[id] ?? []);
    await run.log.finalStored;
    const seen = Object.fromEntries(e.requests.map((r) => [r.model.id, r.messages]));
    expect(seen).toEqual(history);
  });

  it('writes in batches, not once per chunk', async () => {
    const e = await engine({
      a: { chunks: words(200, 'a'), intervalMs: 1 },
      b: { chunks: words(200, 'b'), intervalMs: 1 },
    });
    const run = await e.start(['a', 'b']);
    await run.log.finalStored;
    const chunkEvents = types(run).filter((t) => t === 'model_chunk').length;
    expect(chunkEvents).toBe(400);
    expect(e.writes.length).toBeLessThan(chunkEvents / 4);
    expect(await e.store.eventsAfter(run.request.sessionId, 0)).toHaveLength(run.log.events.length);
  });

  it('streams reasoning apart from the answer and stores both', async () => {
    const e = await engine({ a: { reasoning: ['Let me ', 'think'], chunks: ['Blue ', 'light'] } });
    const run = await e.start(['a']);
    await run.log.finalStored;
    expect(types(run)).toEqual([
      'model_reasoning',
      'model_reasoning',
      'model_chunk',
      'model_chunk',
      'model_complete',
      'comparison_complete',
    ]);
    const [r] = (await e.stored(run.request.sessionId)).responses;
    expect(r).toMatchObject({ response: 'Blue light', reasoning: 'Let me think' });
    expect(chunksOf(run, 'a', 'model_reasoning')).toBe('Let me think');
    expect(r?.timeToFirstReasoningMs).not.toBeNull();
    expect(r?.timeToFirstReasoningMs).toBeLessThanOrEqual(r?.timeToFirstTokenMs ?? -1);
  });

  it('one model failing does not stop the other; its partial text is kept', async () => {
    const e = await engine({
      ok: { chunks: words(10, 'ok') },
      bad: {
        chunks: words(10, 'bad'),
        failAfter: {
          chunks: 3,
          error: new ProviderError('overloaded', 'The provider is overloaded', 'demo'),
        },
      },
    });
    const run = await e.start(['ok', 'bad']);
    await run.log.finalStored;
    const errors = run.log.events.filter((x) => x.event.type === 'model_error').map((x) => x.event);
    expect(errors).toEqual([
      expect.objectContaining({ modelId: 'bad', error: 'The provider is overloaded' }),
    ]);
    expect(types(run).at(-1)).toBe('comparison_complete');
    const { session, responses } = await e.stored(run.request.sessionId);
    expect(session.status).toBe('completed');
    const bad = responses.find((r) => r.modelId === 'bad');
    expect(bad?.status).toBe('error');
    expect(bad?.errorMessage).toBe('The provider is overloaded');
    expect(bad?.response).toBe('bad0 bad1 bad2 ');
    expect(bad?.finishReason).toBeNull();
  });

  it('every model failing ends with comparison_error and a failed session', async () => {
    const fail = new ProviderError('authentication', 'The provider rejected our key', 'demo');
    const e = await engine({
      a: { chunks: ['x'], failAfter: { chunks: 0, error: fail } },
      b: { chunks: ['y'], failAfter: { chunks: 1, error: fail } },
    });
    const run = await e.start(['a', 'b']);
    await run.log.finalStored;
    expect(run.log.events.at(-1)?.event).toMatchObject({
      type: 'comparison_error',
      error: 'Every model failed',
    });
    expect((await e.stored(run.request.sessionId)).session.status).toBe('failed');
  });

  it('cancel aborts every running model, even one whose iterator ends quietly', async () => {
    const e = await engine({
      a: { chunks: words(1000, 'a'), intervalMs: 5 },
      b: { chunks: words(1000, 'b'), intervalMs: 5, quietOnAbort: true },
    });
    const run = await e.start(['a', 'b']);
    await new Promise((r) => setTimeout(r, 30));
    expect(e.runner.cancel(run.request.sessionId)).toBe(true);
    await run.log.finalStored;
    expect([...e.aborted].sort()).toEqual(['a', 'b']);
    const endings = run.log.events
      .filter((x) => x.event.type !== 'model_chunk')
      .map((x) => [x.event.type, 'error' in x.event ? x.event.error : undefined]);
    expect(endings).toEqual([
      ['model_error', 'cancelled'],
      ['model_error', 'cancelled'],
      ['comparison_error', 'cancelled'],
    ]);
    const { session, responses } = await e.stored(run.request.sessionId);
    expect(session.status).toBe('cancelled');
    expect(session.errorMessage).toBe('Cancelled by the user');
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
    const e = await engine(
      { hang: { chunks: words(5, 'h'), hangAfter: 2 }, ok: { chunks: words(5, 'ok') } },
      { idleTimeoutMs: 150 },
    );
    const run = await e.start(['hang', 'ok']);
    await run.log.finalStored;
    expect(e.aborted.has('hang')).toBe(true);
    const { responses } = await e.stored(run.request.sessionId);
    const hung = responses.find((r) => r.modelId === 'hang');
    expect(hung?.status).toBe('error');
    expect(hung?.errorMessage).toMatch(/sent nothing/);
    expect(hung?.response).toBe('h0 h1 ');
    expect(types(run).at(-1)).toBe('comparison_complete');
  });

  it('an answer that grows past maxResponseChars is stopped there, its request closed, the text kept', async () => {
    const e = await engine(
      { long: { chunks: words(1000, 'w'), intervalMs: 1 }, short: { chunks: words(3, 's') } },
      { maxResponseChars: 30 },
    );
    const run = await e.start(['long', 'short']);
    await run.log.finalStored;
    expect(e.aborted.has('long')).toBe(true);
    const ending = endingOf(run, 'long');
    expect(ending?.type).toBe('model_error');
    expect(ending?.type === 'model_error' && ending.error).toMatch(/passed the limit of 30 characters/);
    const { responses } = await e.stored(run.request.sessionId);
    const long = responses.find((r) => r.modelId === 'long');
    expect(long?.status).toBe('error');
    // Cut at the limit within the chunk that passed it: nothing beyond it was relayed or stored.
    expect(long?.response).toBe(chunksOf(run, 'long'));
    expect(long?.response.length).toBe(30);
    expect(responses.find((r) => r.modelId === 'short')?.status).toBe('completed');
  });

  it('cuts an answer at the limit without splitting a surrogate pair', async () => {
    const e = await engine({ emoji: { chunks: ['abcd', 'e\uD83D\uDE00fgh'] } }, { maxResponseChars: 6 });
    const run = await e.start(['emoji']);
    await run.log.finalStored;
    expect(endingOf(run, 'emoji')?.type).toBe('model_error');
    expect(chunksOf(run, 'emoji')).toBe('abcde');
    const { responses } = await e.stored(run.request.sessionId);
    expect(responses[0]?.response).toBe('abcde');
  });

  it('never splits a surrogate pair between chunks, and a lone surrogate becomes U+FFFD', async () => {
    const e = await engine({
      split: { chunks: ['Hi \uD83D', '\uDE00 there'] },
      lone: { chunks: ['a\uDE00b', 'end \uD83D'] },
    });
    const run = await e.start(['split', 'lone']);
    await run.log.finalStored;
    const chunks = (modelId: string) =>
      run.log.events.flatMap(({ event: x }) =>
        x.type === 'model_chunk' && x.modelId === modelId ? [x.chunk] : [],
      );
    expect(chunks('split')).toEqual(['Hi ', '😀 there']);
    expect(chunks('lone')).toEqual(['a\uFFFDb', 'end ', '\uFFFD']);
    const { responses } = await e.stored(run.request.sessionId);
    const byModel = Object.fromEntries(responses.map((r) => [r.modelId, r.response]));
    expect(byModel).toEqual({ split: 'Hi 😀 there', lone: 'a\uFFFDbend \uFFFD' });
    for (const modelId of ['split', 'lone']) expect(byModel[modelId]).toBe(chunksOf(run, modelId));
  });

  it('admits a user’s runs up to the limit, counting an admitted start before it has begun', async () => {
    const e = await engine({ a: { chunks: words(100, 'a'), intervalMs: 5 } });
    const first = e.runner.admit('u1', 2);
    const second = e.runner.admit('u1', 2);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(e.runner.admit('u1', 2)).toBeUndefined();
    expect(e.runner.admit('u2', 2)).toBeDefined();
    expect(e.runner.runningFor('u1')).toBe(2);
    // A start that began counts as its run instead of its reservation.
    const run = await e.start(['a']);
    first?.();
    first?.(); // idempotent
    expect(e.runner.runningFor('u1')).toBe(2);
    expect(e.runner.admit('u1', 2)).toBeUndefined();
    second?.();
    expect(e.runner.runningFor('u1')).toBe(1);
    e.runner.cancel(run.request.sessionId);
    await run.log.finalStored;
    expect(e.runner.runningFor('u1')).toBe(0);
  });

  it('shutdown lets short runs finish within the grace period and cancels the rest', async () => {
    const e = await engine({
      short: { chunks: words(3, 's') },
      long: { chunks: words(1000, 'l'), intervalMs: 10 },
    });
    const quick = await e.start(['short']);
    const slow = await e.start(['long']);
    // As the sessions plugin closes: the runner first, then the writer.
    await e.runner.shutdown(100, 'Cancelled: the server shut down');
    await e.writer.close();
    expect((await e.stored(quick.request.sessionId)).session.status).toBe('completed');
    const { session } = await e.stored(slow.request.sessionId);
    expect(session.status).toBe('cancelled');
    expect(session.errorMessage).toBe('Cancelled: the server shut down');
    expect(e.runner.active).toBe(0);
  });
});
