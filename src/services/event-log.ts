// The event log of one comparison: every stream event in order, with its id, shared by all subscribers.

export const eventNames = [
  'model_chunk',
  'model_complete',
  'model_error',
  'comparison_complete',
  'comparison_error',
] as const;
export type EventName = (typeof eventNames)[number];

/** Rows come from our own writes; an unknown name (a newer version's event) still replays. */
const toEventName = (name: string): EventName =>
  (eventNames as readonly string[]).includes(name) ? (name as EventName) : 'model_error';

export const isFinalEvent = (event: string) =>
  event === 'comparison_complete' || event === 'comparison_error';

export interface LoggedEvent {
  id: number;
  event: EventName;
  /** The JSON data line, serialised once for every subscriber and for the database. */
  data: string;
  /** The SSE frame, built once: subscribers only concatenate and write. */
  frame: string;
  /** Bytes of all frames up to and including this one, so a subscriber's lag costs O(1) to measure. */
  offset: number;
}

export function sseFrame(id: number, event: string, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/**
 * Append-only; ids increase by one from the first. Subscribers hold a cursor (the last id they
 * wrote) instead of a queue, so a slow subscriber costs no memory beyond the log itself.
 */
export class SessionEventLog {
  readonly events: LoggedEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private bytes = 0;
  private ended = false;

  constructor(readonly sessionId: string) {}

  /** A log read back from the database, with the ids it was stored with. */
  static fromStored(sessionId: string, rows: { id: number; event: string; data: string }[]): SessionEventLog {
    const log = new SessionEventLog(sessionId);
    for (const row of rows) log.push(row.id, toEventName(row.event), row.data);
    return log;
  }

  get lastId(): number {
    return this.events.at(-1)?.id ?? 0;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** True once the final event (comparison_complete or comparison_error) is in the log. */
  get finished(): boolean {
    return this.ended;
  }

  append(event: EventName, payload: object): LoggedEvent {
    if (this.ended) throw new Error(`event log of ${this.sessionId} is already finished`);
    return this.push(this.lastId + 1, event, JSON.stringify(payload));
  }

  private push(id: number, event: EventName, data: string): LoggedEvent {
    const frame = sseFrame(id, event, data);
    this.bytes += Buffer.byteLength(frame);
    const logged = { id, event, data, frame, offset: this.bytes };
    this.events.push(logged);
    if (isFinalEvent(event)) this.ended = true;
    for (const listener of this.listeners) listener();
    return logged;
  }

  /**
   * Marks a log read back from the database as complete although it has no final event (a
   * session that ended before event logs were written): subscribers replay it and close.
   */
  seal(): void {
    this.ended = true;
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

  /** Bytes of the frames after `afterId` that a subscriber has not written yet. */
  bytesAfter(afterId: number): number {
    const i = this.indexAfter(afterId);
    const before = i === 0 ? 0 : (this.events[i - 1] as LoggedEvent).offset;
    return this.bytes - before;
  }

  /** The frames after `afterId`, joined, up to about `maxBytes` (at least one frame). */
  framesAfter(afterId: number, maxBytes: number): { text: string; lastId: number } | undefined {
    let i = this.indexAfter(afterId);
    if (i >= this.events.length) return undefined;
    const start = i === 0 ? 0 : (this.events[i - 1] as LoggedEvent).offset;
    let text = '';
    let lastId = afterId;
    while (i < this.events.length) {
      const e = this.events[i] as LoggedEvent;
      if (text.length > 0 && e.offset - start > maxBytes) break;
      text += e.frame;
      lastId = e.id;
      i++;
    }
    return { text, lastId };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}

/**
 * The logs the server holds in memory: running sessions, and finished ones for a while so that a
 * late subscriber or a reconnect is served without reading the database. One per app, no globals.
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
