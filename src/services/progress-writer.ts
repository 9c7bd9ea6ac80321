// Batched persistence of running sessions: text and events as they stream, in short transactions.
import type { FastifyBaseLogger } from 'fastify';
import type { ResponseProgress, SessionProgress, SessionsRepository } from '../repositories/sessions.js';
import { type SessionRun, sessionOutcome } from './comparison-runner.js';

const TERMINAL = new Set(['completed', 'error', 'cancelled']);

/** What changed in a run since its last write; undefined when nothing did. */
function progressOf(run: SessionRun): SessionProgress | undefined {
  const events = run.log.events.slice(run.persisted.events);
  const responses: ResponseProgress[] = [];
  for (const m of run.models) {
    const appendText = m.text.slice(m.persisted.textLength);
    const statusChanged = m.status !== m.persisted.status;
    if (appendText.length === 0 && !statusChanged) continue;
    const r: ResponseProgress = { id: m.responseId, appendText };
    if (statusChanged) {
      r.status = m.status;
      r.timeToFirstTokenMs = m.firstTokenAt === undefined ? null : m.firstTokenAt - m.startedAt;
      if (TERMINAL.has(m.status) && m.metrics) {
        r.final = {
          inputTokens: m.metrics.inputTokens,
          outputTokens: m.metrics.outputTokens,
          cachedInputTokens: m.metrics.cachedInputTokens,
          cost: m.metrics.cost,
          responseTimeMs: m.metrics.responseTimeMs,
          errorMessage: m.errorMessage ?? null,
        };
      }
    }
    responses.push(r);
  }
  const final =
    run.ended && !run.persisted.final ? { ...sessionOutcome(run), finalEventId: run.log.lastId } : undefined;
  if (events.length === 0 && responses.length === 0 && !final) return undefined;
  return { sessionId: run.request.sessionId, events, responses, final };
}

function markPersisted(run: SessionRun): void {
  run.persisted.events = run.log.events.length;
  for (const m of run.models) m.persisted = { textLength: m.text.length, status: m.status };
  if (run.ended) run.persisted.final = true;
}

/**
 * Rows (events, response and session updates) one transaction of the periodic write takes before the
 * event loop gets a turn. better-sqlite3 writes synchronously at some microseconds a row; at a hundred
 * streaming sessions one periodic write was 2,500 rows and held the event loop 30-50 ms, which every
 * chunk relayed meanwhile waited for. A slice of this size keeps that wait around a millisecond.
 */
export const ROWS_PER_SLICE = 128;

/** The session's update, its events' one row, and its responses' updates. */
const rowsOf = (p: SessionProgress) => 1 + (p.events.length > 0 ? 1 : 0) + p.responses.length;

/**
 * better-sqlite3 blocks the event loop while it writes, so chunks never write one by one: a run
 * is marked dirty and the dirty runs are written together at most `intervalMs` later, a slice per
 * turn of the event loop. Endings (a model's, a session's) write that run at once, so a client that
 * saw one can read it back.
 */
export class ProgressWriter {
  private readonly dirty = new Set<SessionRun>();
  /** The runs of the periodic write under way, not written yet. */
  private pending: SessionRun[] = [];
  private timer: NodeJS.Timeout | undefined;
  private slice: NodeJS.Immediate | undefined;

  constructor(
    private readonly repo: SessionsRepository,
    private readonly intervalMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  markDirty(run: SessionRun): void {
    this.dirty.add(run);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Writes this run's progress now (a periodic write under way then finds nothing new for it). */
  flushNow(run: SessionRun): void {
    this.dirty.delete(run);
    const progress = progressOf(run);
    this.write([run], progress ? [progress] : []);
  }

  /** The periodic write: every run dirty now, in slices of about ROWS_PER_SLICE rows. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.push(...this.dirty);
    this.dirty.clear();
    if (!this.slice) this.writeSlice();
  }

  private writeSlice(): void {
    this.slice = undefined;
    const runs: SessionRun[] = [];
    const batch: SessionProgress[] = [];
    let rows = 0;
    while (rows < ROWS_PER_SLICE) {
      const run = this.pending.pop();
      if (!run) break;
      runs.push(run);
      const progress = progressOf(run);
      if (!progress) continue;
      batch.push(progress);
      rows += rowsOf(progress);
    }
    if (this.write(runs, batch) && this.pending.length > 0)
      this.slice = setImmediate(() => this.writeSlice());
  }

  /** One transaction; on failure every unwritten run is dirty again and the write is retried later. */
  private write(runs: SessionRun[], batch: SessionProgress[]): boolean {
    try {
      if (batch.length > 0) this.repo.persist(batch);
    } catch (err) {
      this.log.error({ err, sessions: batch.length }, 'saving comparison progress failed; will retry');
      for (const run of [...runs, ...this.pending]) this.dirty.add(run);
      this.pending = [];
      clearImmediate(this.slice);
      this.slice = undefined;
      this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
      return false;
    }
    for (const run of runs) markPersisted(run);
    return true;
  }

  /** Writes everything still unwritten, at once (the app is closing). */
  close(): void {
    clearTimeout(this.timer);
    clearImmediate(this.slice);
    this.timer = undefined;
    this.slice = undefined;
    const runs = [...new Set([...this.pending, ...this.dirty])];
    this.pending = [];
    this.dirty.clear();
    const batch: SessionProgress[] = [];
    for (const run of runs) {
      const progress = progressOf(run);
      if (progress) batch.push(progress);
    }
    this.write(runs, batch);
    // A failed last write left the runs dirty and set a retry timer that must not outlive the app.
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
