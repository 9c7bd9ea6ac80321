// The Redis publisher: a follower of each running log that copies its events into the session's stream.
import type { FastifyBaseLogger } from 'fastify';
import type { RedisConnections } from '../plugins/redis.js';
import type { LoggedEvent, SessionEventLog } from './event-log.js';
import { appendScript, runScript } from './redis-scripts.js';

/** One script call carries at most this many events or about this many bytes: Redis stays responsive. */
const MAX_EVENTS_PER_CALL = 512;
const MAX_BYTES_PER_CALL = 1024 * 1024;

interface Published {
  sessionId: string;
  log: SessionEventLog;
  /** The last id Redis acknowledged. */
  cursor: number;
  inFlight: boolean;
  retry?: NodeJS.Timeout;
  unsubscribe: () => void;
}

export interface PublisherOptions {
  /** A stream's keys expire this long after its last append: a crashed cluster leaves nothing for ever. */
  streamTtlMs: number;
  /** A failed append is tried again after this long. */
  retryMs: number;
  /** Another instance took the session over: this one must stop running it. */
  onLost(sessionId: string): void;
  /** Redis holds the final event (the store too): the run's lease and registry entries can go. */
  onDone(sessionId: string): void;
}

/**
 * Everything new in a log is appended once per turn of the event loop, one fenced script call per
 * session (pipelined on one connection), never one round trip per chunk. The log shows readers here
 * nothing Redis has not acknowledged (its publish watermark), so whatever a client saw, on whatever
 * instance, is in Redis. Endings are copied once the store holds them, as they become visible.
 */
export class RedisPublisher {
  private readonly followed = new Map<string, Published>();
  private readonly dirty = new Set<Published>();
  private scheduled = false;
  private failing = false;
  private closed = false;

  constructor(
    private readonly redis: RedisConnections,
    private readonly options: PublisherOptions,
    private readonly log: FastifyBaseLogger,
  ) {}

  follow(sessionId: string, log: SessionEventLog): void {
    log.gatePublished();
    const p: Published = { sessionId, log, cursor: log.publishedId, inFlight: false, unsubscribe: () => {} };
    p.unsubscribe = log.subscribe(() => this.schedule(p));
    this.followed.set(sessionId, p);
    this.schedule(p);
  }

  /** Redis may have lost the stream (it restarted): append again everything the store lacks. */
  republish(sessionId: string): void {
    const p = this.followed.get(sessionId);
    if (!p) return;
    p.cursor = Math.min(p.cursor, p.log.storedId);
    this.schedule(p);
  }

  /** Stops copying a session (its run ended, or another instance owns it now). */
  unfollow(sessionId: string): void {
    const p = this.followed.get(sessionId);
    if (!p) return;
    p.unsubscribe();
    clearTimeout(p.retry);
    this.followed.delete(sessionId);
    this.dirty.delete(p);
  }

  private schedule(p: Published): void {
    if (this.closed || p.retry) return;
    this.dirty.add(p);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const ready = [...this.dirty];
      this.dirty.clear();
      for (const d of ready) if (!d.inFlight && this.followed.get(d.sessionId) === d) void this.publish(d);
    });
  }

  private batchOf(p: Published): LoggedEvent[] {
    const limit = p.log.publishableLastId;
    const batch: LoggedEvent[] = [];
    let bytes = 0;
    // By index, not eventsAfterAll: a backlog (Redis slow or down) is not copied whole every turn.
    const { events } = p.log;
    for (let i = p.log.indexAfter(p.cursor); i < events.length; i++) {
      const e = events[i] as LoggedEvent;
      if (e.id > limit || batch.length >= MAX_EVENTS_PER_CALL) break;
      if (batch.length > 0 && bytes + e.data.length > MAX_BYTES_PER_CALL) break;
      batch.push(e);
      bytes += e.data.length;
    }
    return batch;
  }

  private async publish(p: Published): Promise<void> {
    const batch = this.batchOf(p);
    if (batch.length === 0) return;
    p.inFlight = true;
    const args: (string | number)[] = [this.redis.instanceId, this.options.streamTtlMs];
    for (const e of batch) args.push(e.id, e.event.type, e.data);
    let again = false;
    try {
      const top = await runScript<number>(
        this.redis.command,
        appendScript,
        [this.redis.key('lease', p.sessionId), this.redis.key('stream', p.sessionId)],
        args,
      );
      if (top === -1) {
        this.log.error(
          { sessionId: p.sessionId },
          'another instance took this comparison over; stopping it here',
        );
        this.unfollow(p.sessionId);
        this.options.onLost(p.sessionId);
        return;
      }
      if (top === -2) again = true;
      else {
        this.recovered();
        const lastId = (batch.at(-1) as LoggedEvent).id;
        p.cursor = lastId;
        p.log.markPublished(lastId);
        if (p.log.finished && lastId >= p.log.lastId) {
          this.unfollow(p.sessionId);
          this.options.onDone(p.sessionId);
          return;
        }
      }
    } catch (err) {
      again = true;
      if (!this.failing)
        this.log.warn({ err, sessionId: p.sessionId }, 'appending events to redis failed; retrying');
      this.failing = true;
    } finally {
      p.inFlight = false;
    }
    if (again && !this.closed) {
      // No lease (Redis restarted; the renewal takes it again) or no answer: try again shortly.
      p.retry = setTimeout(() => {
        p.retry = undefined;
        this.schedule(p);
      }, this.options.retryMs);
    } else if (p.log.eventsAfterAll(p.cursor).length > 0) this.schedule(p);
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.info('appending events to redis works again');
  }

  /** True once Redis holds everything of the session that may be seen. */
  caughtUp(sessionId: string): boolean {
    const p = this.followed.get(sessionId);
    return !p || (p.cursor >= p.log.lastId && !p.inFlight);
  }

  /**
   * Shutdown, after the store's writer closed: one more try to append what is left, then every
   * log shows everything, so no client here waits for ever on a Redis that does not answer.
   */
  async close(waitMs: number): Promise<void> {
    const deadline = Date.now() + waitMs;
    for (const p of this.followed.values()) this.schedule(p);
    while (Date.now() < deadline && [...this.followed.keys()].some((id) => !this.caughtUp(id)))
      await new Promise((resolve) => setTimeout(resolve, 20));
    this.closed = true;
    for (const p of [...this.followed.values()]) {
      p.log.markPublished(p.log.lastId);
      this.unfollow(p.sessionId);
    }
  }
}
