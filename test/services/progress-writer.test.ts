// The progress writer: periodic writes in slices that leave the event loop free, endings at once.
import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionProgress, SessionsRepository } from '../../src/repositories/sessions.js';
import type { SessionRun } from '../../src/services/comparison-runner.js';
import { SessionEventLog } from '../../src/services/event-log.js';
import { ProgressWriter, ROWS_PER_SLICE } from '../../src/services/progress-writer.js';
import { testModel } from '../support/scripted-provider.js';

const writers: ProgressWriter[] = [];
afterEach(() => {
  for (const w of writers.splice(0)) w.close();
});

/** A run with one streaming model and `chunks` chunk events, none written yet. */
function streamingRun(sessionId: string, chunks: number): SessionRun {
  const log = new SessionEventLog(sessionId);
  let text = '';
  for (let i = 0; i < chunks; i++) {
    log.append('model_chunk', { sessionId, modelId: 'm', chunk: `c${i} `, timestamp: '' });
    text += `c${i} `;
  }
  return {
    request: { sessionId, userId: 'u1', prompt: 'p', models: [] },
    log,
    models: [
      {
        responseId: `${sessionId}-r`,
        model: testModel('m'),
        controller: new AbortController(),
        text,
        status: 'streaming',
        startedAt: 0,
        firstTokenAt: 5,
        persisted: { textLength: 0, status: 'streaming' },
      },
    ],
    ended: false,
    settled: Promise.resolve(),
    markSettled: () => {},
    persisted: { events: 0, final: false },
  };
}

/** A repository that only records the batches it is given, one entry per transaction. */
function recorder(fail = () => false) {
  const batches: SessionProgress[][] = [];
  const repo = {
    persist(batch: SessionProgress[]) {
      if (fail()) throw new Error('disk full');
      batches.push(batch);
    },
  } as Pick<SessionsRepository, 'persist'> as SessionsRepository;
  return { repo, batches };
}

/** Rows of a transaction: each session's update, its events (one row for all), its responses' updates. */
const rows = (batch: SessionProgress[]) =>
  batch.reduce((n, p) => n + 1 + (p.events.length > 0 ? 1 : 0) + p.responses.length, 0);

function writer(repo: SessionsRepository) {
  const w = new ProgressWriter(repo, 60_000, pino({ enabled: false }));
  writers.push(w);
  return w;
}

describe('progress writer', () => {
  it('writes a large periodic batch in slices, one per turn of the event loop', async () => {
    const { repo, batches } = recorder();
    const w = writer(repo);
    const runs = Array.from({ length: 150 }, (_, i) => streamingRun(`s${i}`, 10));
    for (const run of runs) w.markDirty(run);
    w.flush();
    // The first slice is written at once, the rest on later turns.
    expect(batches).toHaveLength(1);
    for (let i = 0; i < 10; i++) await nextTurn();
    expect(batches.length).toBeGreaterThanOrEqual(3);
    for (const batch of batches) expect(rows(batch)).toBeLessThan(ROWS_PER_SLICE + 3);
    expect(
      batches
        .flat()
        .map((p) => p.sessionId)
        .sort(),
    ).toEqual(runs.map((r) => r.request.sessionId).sort());
    for (const run of runs) expect(run.persisted.events).toBe(10);
  });

  it('writes an ending run at once and alone, and the periodic write then finds nothing new for it', () => {
    const { repo, batches } = recorder();
    const w = writer(repo);
    const [a, b] = [streamingRun('a', 3), streamingRun('b', 3)];
    w.markDirty(a);
    w.markDirty(b);
    w.flushNow(a);
    expect(batches.map((batch) => batch.map((p) => p.sessionId))).toEqual([['a']]);
    w.flush();
    expect(batches.map((batch) => batch.map((p) => p.sessionId))).toEqual([['a'], ['b']]);
  });

  it('keeps runs whose write failed and writes them on close', () => {
    let failing = true;
    const { repo, batches } = recorder(() => failing);
    const w = writer(repo);
    const run = streamingRun('a', 2);
    w.markDirty(run);
    w.flush();
    expect(run.persisted.events).toBe(0);
    failing = false;
    w.close();
    expect(batches.flat().map((p) => [p.sessionId, p.events.length])).toEqual([['a', 2]]);
    expect(run.persisted.events).toBe(2);
  });
});
