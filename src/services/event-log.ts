// The event log of one comparison: every typed event in order, with its id, read by every follower.
import {
  type ComparisonEvent,
  isEnding,
  isFinalEvent,
  ownerData,
  parseStoredEvent,
} from './comparison-events.js';
import { type EventView, type LoggedEvent, ownerView, sseFrame } from './event-views.js';

export { type LoggedEvent, sseFrame } from './event-views.js';

/**
 * How far the visible log may run ahead of what the database holds. A client never sees an id more
 * than this beyond the stored ones, so after a crash recovery can number the endings past anything a
 * client saw (issue: ids reused after a crash), and the writer is asked to hurry before it is reached.
 */
export const MAX_UNSTORED_EVENTS = 10_000;

/**
 * Append-only; ids increase from the first. Followers (stream subscribers, the progress writer) hold a
 * cursor instead of a queue, so a slow one costs no memory beyond the log itself. What followers may
 * read is bounded by `visibleLastId`: endings only once stored, and nothing too far past the store.
 */
export class SessionEventLog {
  readonly events: LoggedEvent[] = [];
  private readonly listeners = new Set<() => void>();
  /** Frames of views other than the owner's, built once per event per view, on first read. */
  private readonly viewFrames = new Map<string, (string | null)[]>();
  /** Ids of endings appended but not stored yet, oldest first. */
  private readonly unstoredEndings: number[] = [];
  private bytes = 0;
  private ended = false;
  private stored = 0;
  /** The id up to which Redis holds the log; infinite unless a publisher gates the log (one process). */
  private published = Number.POSITIVE_INFINITY;
  private resolveStored: () => void = () => {};
  /** Resolves once the final event is stored (or the log was read back from the store). */
  readonly finalStored: Promise<void>;

  constructor(readonly sessionId: string) {
    this.finalStored = new Promise((resolve) => {
      this.resolveStored = resolve;
    });
  }

  /** A log read back from the store, with the ids it was stored with: all of it is stored. */
  static fromStored(sessionId: string, rows: { id: number; event: string; data: string }[]): SessionEventLog {
    const log = new SessionEventLog(sessionId);
    for (const row of rows) log.push(row.id, parseStoredEvent(row.event, row.data), row.data);
    log.markStored(log.lastId);
    return log;
  }

  get lastId(): number {
    return this.events.at(-1)?.id ?? 0;
  }

  /** The id up to which the store holds the log. */
  get storedId(): number {
    return this.stored;
  }

  /** The last id followers may read now. */
  get visibleLastId(): number {
    return Math.min(this.publishableLastId, this.published);
  }

  /**
   * The last id the store's rules allow to be seen (endings once stored, nothing too far past the
   * store): what a publisher may copy to other instances, whose readers see it at once.
   */
  get publishableLastId(): number {
    const ending = this.unstoredEndings[0];
    const limit = Math.min(this.lastId, this.stored + MAX_UNSTORED_EVENTS);
    return ending === undefined ? limit : Math.min(limit, ending - 1);
  }

  /** From now on nothing is visible before `markPublished` covers it (the publisher calls this first). */
  gatePublished(): void {
    if (this.published === Number.POSITIVE_INFINITY) this.published = this.lastId;
  }

  /** Redis now holds every event up to `id`: readers here may see them. */
  markPublished(id: number): void {
    if (id <= this.published) return;
    this.published = id;
    this.notify();
  }

  get publishedId(): number {
    return this.published;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** True once the final event is in the log. */
  get finished(): boolean {
    return this.ended;
  }

  /** True once the final event is in the log and visible: a follower at lastId has seen everything. */
  get finishedVisible(): boolean {
    return this.ended && this.visibleLastId >= this.lastId;
  }

  /** Appends with the next id; `afterGap` skips ids (recovery numbers its endings past any unstored id). */
  append(event: ComparisonEvent, afterGap = 0): LoggedEvent {
    if (this.ended) throw new Error(`event log of ${this.sessionId} is already finished`);
    return this.push(this.lastId + 1 + afterGap, event, ownerData(this.sessionId, event));
  }

  /**
   * An event another instance appended, copied from Redis into this instance's mirror of the log:
   * Redis holds it and its owner's rules allowed it to be seen, so it is visible at once.
   */
  appendCopied(id: number, name: string, data: string): LoggedEvent | undefined {
    if (this.ended || id <= this.lastId) return undefined;
    const logged = this.push(id, parseStoredEvent(name, data), data);
    this.markStored(id);
    return logged;
  }

  private push(id: number, event: ComparisonEvent, data: string): LoggedEvent {
    const frame = sseFrame(id, event.type, data);
    this.bytes += Buffer.byteLength(frame);
    const logged = { id, event, data, frame, offset: this.bytes };
    this.events.push(logged);
    if (isEnding(event) && id > this.stored) this.unstoredEndings.push(id);
    if (isFinalEvent(event)) this.ended = true;
    this.notify();
    return logged;
  }

  /** The store now holds every event up to `id`: endings up to it become visible. */
  markStored(id: number): void {
    if (id <= this.stored) return;
    this.stored = id;
    while ((this.unstoredEndings[0] ?? Number.POSITIVE_INFINITY) <= id) this.unstoredEndings.shift();
    if (this.ended && id >= this.lastId) this.resolveStored();
    this.notify();
  }

  /**
   * Marks a log read back from the store as complete although it has no final event (a session that
   * ended before event logs were written): followers replay it and close.
   */
  seal(): void {
    this.ended = true;
    this.resolveStored();
    this.notify();
  }

  /**
   * Another instance took the session over: what readers here were not shown yet is dropped (it may
   * never reach the store; the new owner numbers its endings from what Redis holds), and the log ends
   * where readers are, so they finish and reconnect for the endings.
   */
  cutAtVisible(): void {
    const keep = this.indexAfter(this.visibleLastId);
    this.events.length = keep;
    this.bytes = this.events.at(-1)?.offset ?? 0;
    for (const cache of this.viewFrames.values()) cache.length = Math.min(cache.length, keep);
    this.unstoredEndings.length = 0;
    this.seal();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Index of the first event whose id is greater than `afterId` (ids are sorted). */
  indexAfter(afterId: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.events[mid] as LoggedEvent).id <= afterId) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bytes of the owner's frames after `afterId`: what a subscriber has not written yet (other views: about). */
  bytesAfter(afterId: number): number {
    const i = this.indexAfter(afterId);
    const before = i === 0 ? 0 : (this.events[i - 1] as LoggedEvent).offset;
    return this.bytes - before;
  }

  /** Every event after `afterId`, visible or not (the store's follower writes what is not stored yet). */
  eventsAfterAll(afterId: number): LoggedEvent[] {
    return this.events.slice(this.indexAfter(afterId));
  }

  /** The visible events after `afterId`, in order. */
  eventsAfter(afterId: number): LoggedEvent[] {
    const visible = this.visibleLastId;
    const out: LoggedEvent[] = [];
    for (let i = this.indexAfter(afterId); i < this.events.length; i++) {
      const e = this.events[i] as LoggedEvent;
      if (e.id > visible) break;
      out.push(e);
    }
    return out;
  }

  /** The visible frames of `view` after `afterId`, joined, up to about `maxBytes` (at least one event). */
  framesAfter(
    afterId: number,
    maxBytes: number,
    view: EventView = ownerView,
  ): { text: string; lastId: number } | undefined {
    let i = this.indexAfter(afterId);
    const visible = this.visibleLastId;
    if (i >= this.events.length || (this.events[i] as LoggedEvent).id > visible) return undefined;
    const cache = view === ownerView ? undefined : this.cacheOf(view);
    let text = '';
    let lastId = afterId;
    while (i < this.events.length) {
      const e = this.events[i] as LoggedEvent;
      if (e.id > visible) break;
      let frame: string | null;
      if (cache) {
        frame = cache[i] === undefined ? view.frame(e) : (cache[i] as string | null);
        cache[i] = frame;
      } else frame = e.frame;
      if (frame !== null) {
        if (text.length > 0 && text.length + frame.length > maxBytes) break;
        text += frame;
      }
      lastId = e.id;
      i++;
    }
    return { text, lastId };
  }

  private cacheOf(view: EventView): (string | null)[] {
    let cache = this.viewFrames.get(view.key);
    if (!cache) {
      cache = [];
      this.viewFrames.set(view.key, cache);
    }
    return cache;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Calls `onEvent` for every event of the log in order, from the next append on (events already in
   * the log first), from the follower's own cursor: an index into the append-only array, so nothing is allocated per
   * chunk. It stops after the session's final event; the returned function stops it earlier.
   */
  followEvents(onEvent: (event: ComparisonEvent, id: number) => void): () => void {
    let next = 0;
    const { events } = this;
    const unsubscribe = this.subscribe(() => {
      for (; next < events.length; next++) {
        const logged = events[next] as LoggedEvent;
        onEvent(logged.event, logged.id);
        if (isFinalEvent(logged.event)) {
          unsubscribe();
          return;
        }
      }
    });
    return unsubscribe;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}

/**
 * The logs the server holds in memory: running sessions, and finished ones for a while so that a
 * late subscriber or a reconnect is served without reading the store. One per app, no globals.
 */
export class EventLogRegistry {
  private readonly logs = new Map<string, SessionEventLog>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly retentionMs: number) {}

  get(sessionId: string): SessionEventLog | undefined {
    return this.logs.get(sessionId);
  }

  add(log: SessionEventLog): SessionEventLog {
    this.logs.set(log.sessionId, log);
    return log;
  }

  /** Forgets a log at once (a mirror nobody reads, a run another instance took over), if it is still this one. */
  remove(sessionId: string, log?: SessionEventLog): void {
    if (log && this.logs.get(sessionId) !== log) return;
    clearTimeout(this.timers.get(sessionId));
    this.timers.delete(sessionId);
    this.logs.delete(sessionId);
  }

  /** Keeps a finished log for the retention time; subscribers still writing it keep their reference. */
  retire(sessionId: string): void {
    clearTimeout(this.timers.get(sessionId));
    const timer = setTimeout(() => {
      this.logs.delete(sessionId);
      this.timers.delete(sessionId);
    }, this.retentionMs);
    timer.unref();
    this.timers.set(sessionId, timer);
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.logs.clear();
  }
}
