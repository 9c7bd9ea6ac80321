// The progress writer: a follower of each log that writes in slices, endings at once and before clients see them.
import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionProgress, SessionStore } from '../../src/repositories/types.js';
import type { ComparisonEvent } from '../../src/services/comparison-events.js';
import { MAX_UNSTORED_EVENTS, SessionEventLog } from '../../src/services/event-log.js';
import { modelMetrics, sessionMetrics } from '../../src/services/metrics.js';
import { EVENTS_PER_SLICE, ProgressWriter, ROWS_PER_SLICE } from '../../src/services/progress-writer.js';
import { testModel } from '../support/scripted-provider.js';

const writers: ProgressWriter[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) await w.close();
});

const chunk = (text: string, modelId = 'm'): ComparisonEvent => ({
  type: 'model_chunk',
  modelId,
  chunk: text,
  timestamp: '',
});
const metrics = modelMetrics(
  testModel('m'),
  { inputTokens: 3, outputTokens: 2 },
  { startedAt: 0, endedAt: 9 },
  'stop',
);
const complete: ComparisonEvent = { type: 'model_complete', modelId: 'm', metrics, timestamp: '' };
const sessionComplete: ComparisonEvent = {
  type: 'comparison_complete',
  metrics: sessionMetrics([{ status: 'completed', ...metrics }]),
  timestamp: '',
};

/** A log with `chunks` chunk events of model `m`, none written yet. */
function streamingLog(sessionId: string, chunks: number) {
  const log = new SessionEventLog(sessionId);
  for (let i = 0; i < chunks; i++) log.append(chunk(`c${i} `));
  return log;
}

/** A store that only records the batches it is given, one entry per transaction. */
function recorder(fail = () => false) {
  const batches: SessionProgress[][] = [];
  /** For each write after the first: whether the event loop had a turn since the previous write. */
  const turnBetween: boolean[] = [];
  let turned = true;
  const store = {
    async persist(batch: SessionProgress[]) {
      if (fail()) throw new Error('disk full');
      if (batches.length > 0) turnBetween.push(turned);
      turned = false;
      setImmediate(() => {
        turned = true;
      });
      batches.push(batch);
    },
  } as Pick<SessionStore, 'persist'> as SessionStore;
  return { store, batches, turnBetween };
}

/** Rows of a transaction: each session's update, its events (one row for all), its responses' updates. */
const rows = (batch: SessionProgress[]) =>
  batch.reduce((n, p) => n + 1 + (p.events.length > 0 ? 1 : 0) + p.responses.length, 0);
const sessionsOf = (batches: SessionProgress[][]) => batches.map((b) => b.map((p) => p.sessionId));

function writer(store: SessionStore, intervalMs = 60_000) {
  const logger = pino({ enabled: false });
  const w = new ProgressWriter(store, intervalMs, logger);
  writers.push(w);
  return w;
}

const follow = (w: ProgressWriter, log: SessionEventLog) =>
  w.follow({ sessionId: log.sessionId, log, responseIds: new Map([['m', `${log.sessionId}-r`]]) });

async function until(check: () => boolean, ms = 2000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('progress writer', () => {
  it('writes a large periodic batch in slices, with a turn of the event loop between them', async () => {
    const { store, batches, turnBetween } = recorder();
    const w = writer(store, 20);
    const logs = Array.from({ length: 150 }, (_, i) => new SessionEventLog(`s${i}`));
    for (const log of logs) follow(w, log);
    for (const log of logs) for (let i = 0; i < 10; i++) log.append(chunk(`c${i} `));
    // Nothing is written chunk by chunk: the periodic write takes them.
    expect(batches).toHaveLength(0);
    await until(() => logs.every((l) => l.storedId === 10));
    expect(batches.length).toBeGreaterThanOrEqual(3);
    for (const batch of batches) expect(rows(batch)).toBeLessThan(ROWS_PER_SLICE + 3);
    expect(turnBetween.every(Boolean)).toBe(true);
    expect(sessionsOf(batches).flat().sort()).toEqual(logs.map((l) => l.sessionId).sort());
    // Each session's text went out whole, once, with its status set the first time.
    const first = batches.flat().find((p) => p.sessionId === 's0');
    expect(first?.responses).toEqual([
      {
        id: 's0-r',
        appendText: Array.from({ length: 10 }, (_, i) => `c${i} `).join(''),
        appendReasoning: '',
        status: 'streaming',
      },
    ]);
  });

  it('bounds a slice by its events too: a fast session is written in order over several slices', async () => {
    const { store, batches, turnBetween } = recorder();
    const w = writer(store, 20);
    const logs = [streamingLog('fast1', 3000), streamingLog('fast2', 3000), streamingLog('slow', 5)];
    for (const log of logs) follow(w, log);
    // Following starts at what is stored: the chunks appended before go with the next append's write.
    for (const log of logs) log.append(chunk('more '));
    await until(() => logs.every((l) => l.storedId === l.lastId));
    const total = logs.reduce((n, l) => n + l.events.length, 0);
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil(total / EVENTS_PER_SLICE));
    for (const batch of batches)
      expect(batch.reduce((n, p) => n + p.events.length, 0)).toBeLessThanOrEqual(EVENTS_PER_SLICE);
    expect(turnBetween.every(Boolean)).toBe(true);
    for (const log of logs) {
      const parts = batches.flat().filter((p) => p.sessionId === log.sessionId);
      // Every event once, in order, and the text whole across the parts.
      expect(parts.flatMap((p) => p.events.map((e) => e.id))).toEqual(log.events.map((e) => e.id));
      const text = parts.map((p) => p.responses.map((r) => r.appendText).join('')).join('');
      expect(text).toBe(log.events.map((e) => (e.event as { chunk: string }).chunk).join(''));
    }
  });

  it('sets the streaming status in the first write only', async () => {
    const { store, batches } = recorder();
    const w = writer(store, 10);
    const log = new SessionEventLog('a');
    follow(w, log);
    log.append(chunk('one '));
    await until(() => log.storedId === 1);
    log.append({ type: 'model_reasoning', modelId: 'm', chunk: 'hm', timestamp: '' });
    log.append(chunk('two'));
    await until(() => log.storedId === 3);
    expect(batches.flat().map((p) => p.responses)).toEqual([
      [{ id: 'a-r', appendText: 'one ', appendReasoning: '', status: 'streaming' }],
      [{ id: 'a-r', appendText: 'two', appendReasoning: 'hm' }],
    ]);
  });

  it('writes an ending at once and alone, and shows it to readers only once it is stored', async () => {
    const { store, batches } = recorder();
    const w = writer(store);
    const [a, b] = [new SessionEventLog('a'), new SessionEventLog('b')];
    follow(w, a);
    follow(w, b);
    for (const log of [a, b]) for (let i = 0; i < 3; i++) log.append(chunk(`c${i} `));
    expect(a.visibleLastId).toBe(3);
    a.append(complete);
    // Appended, not stored yet: no reader may see it.
    expect(a.visibleLastId).toBe(3);
    await until(() => a.storedId === 4);
    expect(a.visibleLastId).toBe(4);
    expect(sessionsOf(batches)).toEqual([['a']]);
    expect(batches[0]?.[0]?.responses[0]).toMatchObject({ status: 'completed', final: { outputTokens: 2 } });
    // The periodic write (here: the one at close) finds nothing new for `a`.
    await w.close();
    expect(sessionsOf(batches)).toEqual([['a'], ['b']]);
  });

  it('stores the final event before any reader sees it, then resolves finalStored and stops following', async () => {
    const pending: (() => void)[] = [];
    const written: SessionProgress[][] = [];
    const store = {
      async persist(batch: SessionProgress[]) {
        await new Promise<void>((r) => pending.push(r));
        written.push(batch);
      },
    } as Pick<SessionStore, 'persist'> as SessionStore;
    const w = writer(store);
    const log = new SessionEventLog('a');
    follow(w, log);
    log.append(chunk('x'));
    log.append(complete);
    await until(() => pending.length === 1);
    expect(log.visibleLastId).toBe(1);
    pending.shift()?.();
    await until(() => log.storedId === 2);
    let stored = false;
    void log.finalStored.then(() => {
      stored = true;
    });
    log.append(sessionComplete);
    await until(() => pending.length === 1);
    await nextTurn();
    // The store has not answered yet: the final event is in the log but no reader may see it.
    expect(log.visibleLastId).toBe(2);
    expect(log.finishedVisible).toBe(false);
    expect(stored).toBe(false);
    pending.shift()?.();
    await log.finalStored;
    expect(log.finishedVisible).toBe(true);
    expect(written.at(-1)?.[0]?.final).toEqual({ status: 'completed', errorMessage: null, finalEventId: 3 });
    expect(log.subscriberCount).toBe(0);
  });

  it('hurries a log that runs half the unstored allowance ahead, without waiting for the timer', async () => {
    const { store, batches } = recorder();
    const w = writer(store);
    const log = new SessionEventLog('a');
    follow(w, log);
    for (let i = 0; i <= MAX_UNSTORED_EVENTS / 2; i++) log.append(chunk('x'));
    // The timer is a minute away: only the hurry writes these (in slices of EVENTS_PER_SLICE).
    await until(() => log.storedId === MAX_UNSTORED_EVENTS / 2 + 1);
    expect(batches.length).toBe(Math.ceil((MAX_UNSTORED_EVENTS / 2 + 1) / EVENTS_PER_SLICE));
  });

  it('keeps a log whose write failed, shows nothing unstored meanwhile, and writes it on close', async () => {
    let failing = true;
    const { store, batches } = recorder(() => failing);
    const w = writer(store);
    const log = streamingLog('a', 2);
    follow(w, log);
    log.append(chunk('c2 '));
    log.append(complete);
    await nextTurn();
    expect(log.storedId).toBe(0);
    expect(log.visibleLastId).toBe(3);
    failing = false;
    await w.close();
    expect(batches.flat().map((p) => [p.sessionId, p.events.length])).toEqual([['a', 4]]);
    expect(log.storedId).toBe(4);
    expect(log.visibleLastId).toBe(4);
  });

  it('on close, shows readers the endings a failing store could not take, so no client waits for ever', async () => {
    const { store } = recorder(() => true);
    const w = writer(store);
    const log = new SessionEventLog('a');
    follow(w, log);
    log.append(chunk('x'));
    log.append(complete);
    log.append(sessionComplete);
    expect(log.finishedVisible).toBe(false);
    await w.close();
    expect(log.finishedVisible).toBe(true);
    await log.finalStored;
  });
});
