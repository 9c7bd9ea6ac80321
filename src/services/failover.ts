// Failover: any instance ends the sessions of an owner that died (its lease lapsed), from Redis and the store.
import type { FastifyBaseLogger } from 'fastify';
import type { RedisConnections } from '../plugins/redis.js';
import type { InterruptedSession, SessionStore } from '../repositories/types.js';
import { MAX_UNSTORED_EVENTS, SessionEventLog } from './event-log.js';
import { progressOf } from './progress-writer.js';
import { endInterrupted, type RecoveryHooks } from './recovery.js';
import { appendScript, eventIdOf, runScript } from './redis-scripts.js';

type StreamEntry = [id: string, fields: string[]];

export interface FailoverOptions {
  /** How often every instance looks for lapsed leases. */
  sweepMs: number;
  /** How long a claim keeps other sweepers off while this one ends the session (and after, as a tombstone). */
  claimTtlMs: number;
  /** How long an ended session's stream stays in Redis for readers catching up. */
  finishedStreamTtlMs: number;
  /** The engine's cost estimate and budget settlement, as start-up recovery has them. */
  hooks?: RecoveryHooks;
}

/**
 * The registry `running` holds every running session by its lease's expiry. A session whose expiry
 * passed and whose lease key is gone lost its owner: the first sweeper to SET its lease NX owns the
 * session (the fenced append keeps a stalled former owner from writing), writes to the store what
 * only Redis had, then ends it as start-up recovery does, in the store and in the stream, where
 * every instance's readers find the endings.
 */
export class FailoverSweeper {
  private readonly timer: NodeJS.Timeout;
  private sweeping: Promise<void> | undefined;
  /** Sessions this instance claimed whose takeover failed: retried at each sweep. */
  private readonly unfinished = new Set<string>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly store: SessionStore,
    private readonly options: FailoverOptions,
    private readonly log: FastifyBaseLogger,
    /** Sessions this instance runs: after a stall of its own it renews their leases, never ends them. */
    private readonly isLocal: (sessionId: string) => boolean = () => false,
  ) {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => {
        this.sweeping = undefined;
      });
    }, options.sweepMs);
    this.timer.unref();
  }

  /** Takes a lapsed session's lease; false while its owner (or another sweeper) holds it. */
  async claim(sessionId: string): Promise<boolean> {
    const ok = await this.redis.command.sendCommand<string | null>([
      'SET',
      this.redis.key('lease', sessionId),
      this.redis.instanceId,
      'NX',
      'PX',
      String(this.options.claimTtlMs),
    ]);
    return ok === 'OK';
  }

  private async sweep(): Promise<void> {
    try {
      const lapsed = await this.redis.command.sendCommand<string[]>([
        'ZRANGEBYSCORE',
        this.redis.key('running'),
        '-inf',
        String(Date.now()),
        'LIMIT',
        '0',
        '100',
      ]);
      // Claimed earlier but not ended (the store or Redis failed meanwhile): tried again while the claim is ours.
      for (const sessionId of [...this.unfinished])
        if (await this.stillClaimed(sessionId)) await this.tryTakeOver(sessionId);
        else this.unfinished.delete(sessionId);
      for (const sessionId of lapsed)
        if (!this.isLocal(sessionId) && !this.unfinished.has(sessionId) && (await this.claim(sessionId)))
          await this.tryTakeOver(sessionId);
    } catch (err) {
      this.log.warn({ err }, 'looking for comparisons whose instance died failed; will retry');
    }
  }

  /** A takeover that fails keeps its claim (a stalled former owner must not take the session back) and is retried. */
  private async tryTakeOver(sessionId: string): Promise<void> {
    try {
      await this.takeOver(sessionId);
      this.unfinished.delete(sessionId);
    } catch (err) {
      this.unfinished.add(sessionId);
      this.log.warn({ err, sessionId }, 'ending a comparison whose instance died failed; will retry');
    }
  }

  private async stillClaimed(sessionId: string): Promise<boolean> {
    const holder = await this.redis.command.get(this.redis.key('lease', sessionId));
    return holder === this.redis.instanceId;
  }

  /** Start-up recovery with Redis: only sessions whose lease lapsed; a live sibling's are left alone. */
  async recoverAll(): Promise<number> {
    let ended = 0;
    for (const found of await this.store.findInterrupted())
      if (await this.claim(found.session.id)) {
        await this.takeOver(found.session.id);
        ended++;
      }
    if (ended > 0)
      this.log.warn({ sessions: ended }, 'marked comparisons interrupted by a stopped instance as failed');
    return ended;
  }

  private async streamOf(sessionId: string): Promise<StreamEntry[]> {
    const all: StreamEntry[] = [];
    let from = '-';
    for (;;) {
      const page = await this.redis.command.sendCommand<StreamEntry[]>([
        'XRANGE',
        this.redis.key('stream', sessionId),
        from,
        '+',
        'COUNT',
        '1000',
      ]);
      all.push(...page);
      if (page.length < 1000) return all;
      from = `(${(page.at(-1) as StreamEntry)[0]}`;
    }
  }

  /** Ends one session whose lease this instance holds now. */
  async takeOver(sessionId: string): Promise<void> {
    const found = await this.store.findUnfinished(sessionId);
    if (!found) return this.forget(sessionId, undefined);
    const entries = await this.streamOf(sessionId);
    const log = SessionEventLog.fromStored(sessionId, found.events);
    const storedLast = log.lastId;
    for (const [id, fields] of entries) {
      const name = fields[fields.indexOf('e') + 1];
      const data = fields[fields.indexOf('d') + 1];
      if (name !== undefined && data !== undefined) log.appendCopied(eventIdOf(id), name, data);
    }
    // What only Redis had goes to the store first, as the owner's writer would have written it.
    if (log.lastId > storedLast) {
      const responseIds = new Map(found.responses.map((r) => [r.modelId, r.id]));
      const next = progressOf({
        sessionId,
        log,
        responseIds,
        cursor: storedLast,
        started: new Set(),
        unsubscribe: () => {},
      });
      // Its reservations are settled with the endings below (options.hooks), completed models too.
      if (next) await this.store.persist([next.progress]);
    }
    const now: InterruptedSession | undefined =
      log.lastId > storedLast ? await this.store.findUnfinished(sessionId) : found;
    if (!now) return this.forget(sessionId, found.session.userId);
    // Redis held everything any client saw when its stream joins the store's events: the endings
    // follow at once. Otherwise (Redis lost the stream) they go past any id a client may have seen.
    const first = entries[0] ? eventIdOf(entries[0][0]) : undefined;
    const whole = first === undefined ? storedLast === 0 : first <= storedLast + 1;
    const { finals, ...ending } = endInterrupted(
      now,
      this.log,
      whole ? 0 : MAX_UNSTORED_EVENTS,
      this.options.hooks,
    );
    await this.store.persist([ending]);
    await this.options.hooks?.ended?.(now.session, finals);
    const args: (string | number)[] = [this.redis.instanceId, this.options.finishedStreamTtlMs];
    for (const e of ending.events) args.push(e.id, e.event, e.data);
    const appended = await runScript<number>(
      this.redis.command,
      appendScript,
      [this.redis.key('lease', sessionId), this.redis.key('stream', sessionId)],
      args,
    );
    if (appended < 0)
      this.log.warn({ sessionId }, 'the endings of a failed-over comparison did not reach redis');
    this.log.warn(
      { sessionId, streamed: log.lastId - storedLast },
      'the instance running this comparison stopped; it was ended as failed',
    );
    await this.forget(sessionId, now.session.userId);
  }

  /** Off the registries; the lease stays ours until it expires, a tombstone against a stalled owner. */
  private async forget(sessionId: string, userId: string | undefined): Promise<void> {
    const k = this.redis.key;
    await this.redis.command.sendCommand(['ZREM', k('running'), sessionId]);
    if (userId !== undefined)
      await this.redis.command.sendCommand(['ZREM', k('user-running', userId), sessionId]);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }
}
