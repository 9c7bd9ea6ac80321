// Mirrors of sessions another instance runs: the store's events, then its Redis stream, then live.
import type { FastifyBaseLogger } from 'fastify';
import type { RedisClient, RedisConnections } from '../plugins/redis.js';
import type { StoredEvent } from '../repositories/types.js';
import { SessionEventLog } from './event-log.js';
import { eventIdOf, streamId } from './redis-scripts.js';

interface Mirror {
  sessionId: string;
  key: string;
  log: SessionEventLog;
  /** When an event last arrived (or the store was last asked). */
  quietSince: number;
  /** When a subscriber was last seen reading it. */
  readAt: number;
}

type StreamEntry = [id: string, fields: string[]];
type XReadReply = [key: string, entries: StreamEntry[]][] | null;

export interface MirrorOptions {
  /** A mirror with no news for this long asks the store whether the session ended meanwhile. */
  staleMs: number;
  /** A mirror nobody reads for this long is dropped. */
  unreadMs: number;
  /** The session's events after `afterId` once it has ended in the store; undefined while it runs. */
  endedInStore(sessionId: string, afterId: number): Promise<StoredEvent[] | undefined>;
  /** The store's events of the session after `afterId`: what fills a gap in the stream. */
  storedAfter(sessionId: string, afterId: number): Promise<StoredEvent[]>;
  /** The mirror's log left this instance (dropped, or finished): the registry forgets or retires it. */
  onDropped(sessionId: string, finished: boolean): void;
}

/** One field list of a stream entry (`e`, name, `d`, data) as our event's name and data. */
function fieldsOf(fields: string[]): { name: string; data: string } | undefined {
  let name: string | undefined;
  let data: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'e') name = fields[i + 1];
    else if (fields[i] === 'd') data = fields[i + 1];
  }
  return name === undefined || data === undefined ? undefined : { name, data };
}

/**
 * One reader per instance: a single XREAD BLOCK over every mirrored session's stream, on its own
 * connection, feeding a local log per session that the usual subscribers and views read. Ids are the
 * owner's, so a mirror never duplicates or skips: the store's events, then the stream's past them.
 */
export class RemoteStreams {
  private readonly mirrors = new Map<string, Mirror>();
  private readonly byKey = new Map<string, Mirror>();
  private readerId: number | undefined;
  /** Bumped by each new mirror; the reader notes the one its current XREAD covers. */
  private generation = 0;
  private readGeneration = 0;
  private loop: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly redis: RedisConnections,
    private readonly options: MirrorOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    // The reading connection's id changes with each reconnect; a new mirror wakes it by this id.
    const learnId = () => {
      redis.blocking
        .sendCommand<number>(['CLIENT', 'ID'])
        .then((id) => {
          this.readerId = id;
        })
        .catch(() => undefined);
    };
    redis.blocking.on('ready', learnId);
    learnId();
  }

  get size(): number {
    return this.mirrors.size;
  }

  has(sessionId: string): boolean {
    return this.mirrors.has(sessionId);
  }

  /** A log of the session that follows its Redis stream until the final event; `stored`: the store's events. */
  async mirror(sessionId: string, stored: StoredEvent[]): Promise<SessionEventLog> {
    const log = new SessionEventLog(sessionId);
    for (const e of stored) log.appendCopied(e.id, e.event, e.data);
    await this.catchUp(this.redis.command, sessionId, log);
    const raced = this.mirrors.get(sessionId);
    if (raced) return raced.log;
    if (log.finished) {
      this.options.onDropped(sessionId, true);
      return log;
    }
    const m: Mirror = {
      sessionId,
      key: this.redis.key('stream', sessionId),
      log,
      quietSince: Date.now(),
      readAt: Date.now(),
    };
    this.mirrors.set(sessionId, m);
    this.byKey.set(m.key, m);
    this.wake();
    return log;
  }

  /** Reads what the stream holds past the log's last id (XRANGE, exclusive start), in pages. */
  private async catchUp(client: RedisClient, sessionId: string, log: SessionEventLog): Promise<void> {
    const key = this.redis.key('stream', sessionId);
    for (;;) {
      const page = await client.sendCommand<StreamEntry[]>([
        'XRANGE',
        key,
        `(${streamId(log.lastId)}`,
        '+',
        'COUNT',
        '1000',
      ]);
      for (const [id, fields] of page) await this.copy(sessionId, log, id, fields);
      if (page.length < 1000 || log.finished) return;
    }
  }

  /**
   * Copies one stream entry. An entry past the next id means Redis lost part of the stream (it came
   * back empty and the owner appended again from what the store holds): the gap comes from the store.
   */
  private async copy(sessionId: string, log: SessionEventLog, id: string, fields: string[]): Promise<void> {
    const f = fieldsOf(fields);
    const eventId = eventIdOf(id);
    if (!f || eventId <= log.lastId) return;
    if (eventId > log.lastId + 1)
      for (const e of await this.options.storedAfter(sessionId, log.lastId))
        if (e.id < eventId) log.appendCopied(e.id, e.event, e.data);
    log.appendCopied(eventId, f.name, f.data);
  }

  private wake(): void {
    if (this.closed) return;
    this.generation++;
    if (this.loop) {
      this.unblock(20);
      return;
    }
    this.loop = this.read().finally(() => {
      this.loop = undefined;
      if (this.mirrors.size > 0 && !this.closed) this.wake();
    });
  }

  /**
   * A blocked read does not know the new stream yet: unblocked, it reads again with it. The unblock
   * travels on another connection and may pass a read not yet blocked, so it is repeated until the
   * reader's current read covers every mirror.
   */
  private unblock(tries: number): void {
    if (this.closed || !this.loop || this.readGeneration >= this.generation || tries <= 0) return;
    if (this.readerId !== undefined)
      this.redis.command.sendCommand(['CLIENT', 'UNBLOCK', String(this.readerId)]).catch(() => undefined);
    setTimeout(() => this.unblock(tries - 1), 100).unref();
  }

  private async read(): Promise<void> {
    let failing = false;
    while (!this.closed && this.mirrors.size > 0) {
      const all = [...this.mirrors.values()];
      this.readGeneration = this.generation;
      let reply: XReadReply;
      try {
        reply = await this.redis.blocking.sendCommand<XReadReply>([
          'XREAD',
          'COUNT',
          '1000',
          'BLOCK',
          String(this.redis.options.blockMs),
          'STREAMS',
          ...all.map((m) => m.key),
          ...all.map((m) => streamId(m.log.lastId)),
        ]);
        if (failing) this.log.info('reading session streams from redis works again');
        failing = false;
      } catch (err) {
        if (this.closed) return;
        if (!failing) this.log.warn({ err }, 'reading session streams from redis failed; retrying');
        failing = true;
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      const now = Date.now();
      for (const [key, entries] of reply ?? []) {
        const m = this.byKey.get(key);
        if (!m) continue;
        try {
          for (const [id, fields] of entries) await this.copy(m.sessionId, m.log, id, fields);
        } catch (err) {
          // Filling a gap from the store failed: the next read starts again from the mirror's last id.
          this.log.warn({ err, sessionId: m.sessionId }, 'filling a stream gap from the store failed');
        }
        m.quietSince = now;
      }
      await this.tidy(all, now);
    }
  }

  /** Finished mirrors leave; quiet ones ask the store (the stream may be gone); unread ones are dropped. */
  private async tidy(all: Mirror[], now: number): Promise<void> {
    for (const m of all) {
      if (!m.log.finished && now - m.quietSince > this.options.staleMs) {
        m.quietSince = now;
        try {
          const rest = await this.options.endedInStore(m.sessionId, m.log.lastId);
          for (const e of rest ?? []) m.log.appendCopied(e.id, e.event, e.data);
          if (rest && !m.log.finished) m.log.seal();
        } catch (err) {
          this.log.warn({ err, sessionId: m.sessionId }, 'reading an ended session back failed');
        }
      }
      if (m.log.subscriberCount > 0) m.readAt = now;
      if (m.log.finished) this.drop(m, true);
      else if (now - m.readAt > this.options.unreadMs) this.drop(m, false);
    }
  }

  private drop(m: Mirror, finished: boolean): void {
    this.mirrors.delete(m.sessionId);
    this.byKey.delete(m.key);
    this.options.onDropped(m.sessionId, finished);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.readerId !== undefined)
      await this.redis.command
        .sendCommand(['CLIENT', 'UNBLOCK', String(this.readerId)])
        .catch(() => undefined);
    for (const m of [...this.mirrors.values()]) this.drop(m, false);
  }
}
