// Batched persistence of running sessions: a follower of each event log, writing what it read in slices.
import type { FastifyBaseLogger } from 'fastify';
import type {
  ResponseFinal,
  ResponseProgress,
  SessionProgress,
  SessionStore,
} from '../repositories/types.js';
import { type ComparisonEvent, isEnding } from './comparison-events.js';
import { MAX_UNSTORED_EVENTS, type SessionEventLog } from './event-log.js';
import type { ModelMetrics } from './metrics.js';

/** A log the writer follows: its cursor is the last id it stored. */
interface Followed {
  sessionId: string;
  log: SessionEventLog;
  responseIds: ReadonlyMap<string, string>;
  cursor: number;
  /** Models whose `streaming` status is stored already. */
  started: Set<string>;
  unsubscribe: () => void;
}

export interface FollowRequest {
  sessionId: string;
  log: SessionEventLog;
  /** modelId -> response id */
  responseIds: ReadonlyMap<string, string>;
}

/**
 * Rows (events, response and session updates) one transaction of the periodic write takes before the
 * event loop gets a turn. better-sqlite3 writes synchronously at some microseconds a row; at a hundred
 * streaming sessions one periodic write was 2,500 rows and held the event loop 30-50 ms, which every
 * chunk relayed meanwhile waited for. A slice of this size keeps that wait around a millisecond.
 */
export const ROWS_PER_SLICE = 128;

/**
 * Events one slice takes, over all its sessions. A row of events holds every event since the last
 * write, so rows alone did not bound a slice: at full speed (40 streams of 2,500 chunks with no
 * delay) a session gathered some 600 events per periodic write and one slice of them all held the
 * event loop for tens of milliseconds (the throughput block's event-loop delay p99: 400 ms). A
 * session with more waits for the next slice for the rest, in order.
 */
export const EVENTS_PER_SLICE = 2048;

const finalOf = (
  { tokensPerSecond: _rate, ...m }: ModelMetrics,
  errorMessage: string | null,
): ResponseFinal => ({
  ...m,
  errorMessage,
});

/**
 * What the log holds beyond the cursor, as one session's write (its first `maxEvents` events);
 * undefined when nothing is new.
 */
export function progressOf(
  f: Followed,
  maxEvents = Number.POSITIVE_INFINITY,
): { progress: SessionProgress; lastId: number; startedModels: string[]; cut: boolean } | undefined {
  // By index: only the events this write takes are copied, not the whole unstored tail.
  const { events: log } = f.log;
  const from = f.log.indexAfter(f.cursor);
  const to = Math.min(log.length, from + Math.max(1, maxEvents));
  const events = log.slice(from, to);
  if (events.length === 0) return undefined;
  const responses = new Map<string, ResponseProgress>();
  const responseOf = (modelId: string): ResponseProgress | undefined => {
    const id = f.responseIds.get(modelId);
    if (id === undefined) return undefined;
    let r = responses.get(id);
    if (!r) {
      r = { id, appendText: '', appendReasoning: '' };
      responses.set(id, r);
    }
    return r;
  };
  const startedModels: string[] = [];
  const started = (r: ResponseProgress, modelId: string) => {
    if (f.started.has(modelId) || r.status !== undefined) return;
    r.status = 'streaming';
    startedModels.push(modelId);
  };
  let final: SessionProgress['final'];
  for (const { id, event: e } of events) {
    const r = 'modelId' in e ? responseOf(e.modelId) : undefined;
    applyEvent(e, r, id, started, (value) => {
      final = value;
    });
  }
  const stored = events.map(({ id, event, data }) => ({ id, event: event.type, data }));
  const lastId = (events.at(-1) as { id: number }).id;
  return {
    progress: { sessionId: f.sessionId, events: stored, responses: [...responses.values()], final },
    lastId,
    startedModels,
    cut: to < log.length,
  };
}

function applyEvent(
  e: ComparisonEvent,
  r: ResponseProgress | undefined,
  id: number,
  started: (r: ResponseProgress, modelId: string) => void,
  setFinal: (final: SessionProgress['final']) => void,
): void {
  switch (e.type) {
    case 'model_chunk':
      if (!r) return;
      started(r, e.modelId);
      r.appendText += e.chunk;
      return;
    case 'model_reasoning':
      if (!r) return;
      started(r, e.modelId);
      r.appendReasoning += e.chunk;
      return;
    case 'model_complete':
      if (!r) return;
      r.status = 'completed';
      r.final = finalOf(e.metrics, null);
      return;
    case 'model_error':
      if (!r) return;
      r.status = e.error === 'cancelled' ? 'cancelled' : 'error';
      r.final = finalOf(e.metrics, e.error);
      return;
    case 'comparison_complete':
      setFinal({ status: 'completed', errorMessage: null, finalEventId: id });
      return;
    case 'comparison_error':
      setFinal({ status: e.status, errorMessage: e.errorMessage, finalEventId: id });
      return;
  }
}

type Write = NonNullable<ReturnType<typeof progressOf>> & { f: Followed };

/** The session's update, its events' one row, and its responses' updates. */
const rowsOf = (p: SessionProgress) => 1 + (p.events.length > 0 ? 1 : 0) + p.responses.length;

/**
 * Chunks never write one by one: a followed log that grew is marked dirty, and the dirty ones are
 * written together at most `intervalMs` later, a slice per turn of the event loop. An ending (a
 * model's, the session's) is written at once: the log shows it to clients only once it is stored,
 * so a client that saw one can read it back. One write is under way at a time, so a session's
 * rows are always written in order.
 */
export class ProgressWriter {
  private readonly followed = new Set<Followed>();
  private readonly dirty = new Set<Followed>();
  private readonly urgent = new Set<Followed>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Immediate | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  /**
   * Several instances: false while this instance cannot be sure it still owns the session (its lease
   * was not confirmed within its lifetime, as after a stall); its writes wait, so a former owner does
   * not write beside the instance that took the session over. Always true in one process.
   */
  mayWrite: (sessionId: string) => boolean = () => true;

  constructor(
    private readonly store: SessionStore,
    private readonly intervalMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Follows a running session's log until its final event is stored. */
  follow(request: FollowRequest): void {
    const f: Followed = {
      ...request,
      cursor: request.log.storedId,
      started: new Set(),
      unsubscribe: () => {},
    };
    f.unsubscribe = request.log.subscribe(() => this.onAppend(f));
    this.followed.add(f);
  }

  private onAppend(f: Followed): void {
    const last = f.log.events.at(-1);
    if (!last || last.id <= f.cursor) return;
    if (isEnding(last.event) || last.id - f.cursor > MAX_UNSTORED_EVENTS / 2) {
      this.urgent.add(f);
      this.kickSoon();
      return;
    }
    this.dirty.add(f);
    this.armTimer();
  }

  private armTimer(): void {
    if (this.closed) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const d of this.dirty) this.urgent.add(d);
      this.dirty.clear();
      this.kick();
    }, this.intervalMs);
  }

  /**
   * Starts the write loop at the end of this turn of the event loop, not at once: a model's ending
   * and its session's (appended in one synchronous stretch), and the endings of other sessions in
   * the same turn, then go in one transaction instead of one each. With 200 streams ending within
   * a few milliseconds, those commits were a burst of synchronous writes on the event loop.
   */
  private kickSoon(): void {
    if (this.closed || this.soon) return;
    this.soon = setImmediate(() => {
      this.soon = undefined;
      this.kick();
    });
  }

  /** Starts the write loop unless one runs; it picks up whatever is urgent when it gets there. */
  private kick(): void {
    if (this.writing || this.closed) return;
    this.writing = this.loop().finally(() => {
      this.writing = undefined;
      if (this.urgent.size > 0 && !this.closed) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (this.urgent.size > 0) {
      const slice: Followed[] = [];
      const batch: Write[] = [];
      const waiting: Followed[] = [];
      let rows = 0;
      let events = 0;
      /** Sessions this slice wrote only the start of: they go on in the next slice. */
      const unfinished: Followed[] = [];
      for (const f of this.urgent) {
        if (rows >= ROWS_PER_SLICE || events >= EVENTS_PER_SLICE) break;
        this.urgent.delete(f);
        this.dirty.delete(f);
        if (!this.mayWrite(f.sessionId)) {
          waiting.push(f);
          continue;
        }
        slice.push(f);
        const next = progressOf(f, EVENTS_PER_SLICE - events);
        if (!next) continue;
        batch.push({ f, ...next });
        rows += rowsOf(next.progress);
        events += next.progress.events.length;
        if (next.cut) unfinished.push(f);
      }
      if (waiting.length > 0) {
        for (const f of waiting) this.dirty.add(f);
        this.armTimer();
      }
      if (!(await this.write(batch))) {
        // Everything waits for the periodic write to try again, rather than retrying in a tight loop.
        for (const f of [...slice, ...this.urgent]) this.dirty.add(f);
        this.urgent.clear();
        this.armTimer();
        return;
      }
      for (const f of unfinished) if (this.followed.has(f)) this.urgent.add(f);
      if (this.urgent.size > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async write(batch: Write[]): Promise<boolean> {
    if (batch.length === 0) return true;
    try {
      await this.store.persist(batch.map((b) => b.progress));
    } catch (err) {
      this.log.error({ err, sessions: batch.length }, 'saving comparison progress failed; will retry');
      return false;
    }
    for (const { f, progress, lastId, startedModels } of batch) {
      f.cursor = lastId;
      for (const modelId of startedModels) f.started.add(modelId);
      f.log.markStored(lastId);
      if (progress.final) this.unfollow(f);
    }
    return true;
  }

  /** Stops writing a session at once (another instance owns it now); a write under way still lands. */
  drop(sessionId: string): void {
    for (const f of this.followed) if (f.sessionId === sessionId) this.unfollow(f);
  }

  private unfollow(f: Followed): void {
    f.unsubscribe();
    this.followed.delete(f);
    this.dirty.delete(f);
    this.urgent.delete(f);
  }

  /** Writes everything still unwritten (the app is closing); whatever cannot be written is shown anyway. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    clearImmediate(this.soon);
    this.soon = undefined;
    await this.writing;
    for (const f of this.followed) this.urgent.add(f);
    this.dirty.clear();
    await this.loop();
    this.closed = true;
    clearTimeout(this.timer);
    // A store that failed must not leave clients waiting for endings forever.
    for (const f of [...this.followed]) {
      f.log.markStored(f.log.lastId);
      this.unfollow(f);
    }
  }
}
