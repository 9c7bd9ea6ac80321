// Ownership of running sessions across instances: admission under the per-user limit, leases, renewal.
import type { FastifyBaseLogger } from 'fastify';
import type { RedisConnections } from '../plugins/redis.js';
import { admitScript, releaseScript, renewScript, runScript } from './redis-scripts.js';

export interface LeaseOptions {
  /** A lease not renewed for this long lapses, and a sweeper on any instance ends its session. */
  leaseTtlMs: number;
  /** Renewal period: a few renewals fit in one lease. */
  renewMs: number;
  /** A finished session's stream stays in Redis this long for readers still catching up. */
  finishedStreamTtlMs: number;
  /**
   * The lease was gone and was taken again: Redis restarted (what it lost must be appended again), or
   * this instance stalled past the claim of another that ended the session meanwhile. False: the
   * session is not this instance's any more; the lease is not confirmed, so nothing more is written.
   */
  onReclaimed(sessionId: string): boolean | Promise<boolean>;
  /** Another instance holds the lease now (this one stalled past it): stop running the session. */
  onLost(sessionId: string): void;
}

/**
 * The keys: `lease:<session>` holds the owner's instance id (PX leaseTtlMs); `running` is a sorted set
 * of session ids by lease expiry, which the sweepers read; `user-running:<user>` the same per user,
 * which admission counts (members whose expiry passed are dropped before counting).
 */
export class SessionLeases {
  private readonly owned = new Map<string, string>();
  /** Until when each owned lease is known to hold: the time its last confirmation was sent, plus the TTL. */
  private readonly validUntil = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisConnections,
    private readonly options: LeaseOptions,
    private readonly log: FastifyBaseLogger,
  ) {
    this.timer = setInterval(() => void this.renewAll(), options.renewMs);
    this.timer.unref();
  }

  private keysOf(sessionId: string, userId: string) {
    const k = this.redis.key;
    return { lease: k('lease', sessionId), running: k('running'), user: k('user-running', userId) };
  }

  /**
   * Admits a new session of `userId` if fewer than `limit` of theirs run on all instances, taking its
   * lease at once (before the session is stored, so no sweeper or start-up recovery ends it). Atomic
   * in Redis, so concurrent requests on any instances cannot both slip under the limit.
   */
  async admit(userId: string, sessionId: string, limit: number): Promise<boolean> {
    const { lease, running, user } = this.keysOf(sessionId, userId);
    const now = Date.now();
    const ttl = this.options.leaseTtlMs;
    const admitted = await runScript<number>(
      this.redis.command,
      admitScript,
      [user, lease, running],
      [now, now + ttl, limit, sessionId, this.redis.instanceId, ttl],
    );
    if (admitted !== 1) return false;
    this.owned.set(sessionId, userId);
    this.validUntil.set(sessionId, now + ttl);
    return true;
  }

  get ownedCount(): number {
    return this.owned.size;
  }

  owns(sessionId: string): boolean {
    return this.owned.has(sessionId);
  }

  /** True while the session's lease is surely ours (a margin short of its TTL since it was last confirmed). */
  holds(sessionId: string): boolean {
    const until = this.validUntil.get(sessionId);
    return until !== undefined && Date.now() < until - this.options.renewMs / 2;
  }

  /** The session ended (or was never stored): its lease and counts go, its stream expires soon. */
  async release(sessionId: string): Promise<void> {
    const userId = this.owned.get(sessionId);
    if (userId === undefined) return;
    this.owned.delete(sessionId);
    this.validUntil.delete(sessionId);
    const { lease, running, user } = this.keysOf(sessionId, userId);
    try {
      await runScript(
        this.redis.command,
        releaseScript,
        [lease, running, user, this.redis.key('stream', sessionId)],
        [this.redis.instanceId, sessionId, this.options.finishedStreamTtlMs],
      );
    } catch (err) {
      // The lease lapses by itself; the sweeper then finds the session ended in the store.
      this.log.warn({ err, sessionId }, 'releasing a session lease in redis failed');
    }
  }

  /** Forgets a session without touching Redis: another instance owns it now. */
  forget(sessionId: string): void {
    this.owned.delete(sessionId);
    this.validUntil.delete(sessionId);
  }

  private async renewAll(): Promise<void> {
    const now = Date.now();
    const ttl = this.options.leaseTtlMs;
    // Issued together: the client pipelines them on its one connection.
    await Promise.all(
      [...this.owned].map(async ([sessionId, userId]) => {
        const { lease, running, user } = this.keysOf(sessionId, userId);
        try {
          const result = await runScript<number>(
            this.redis.command,
            renewScript,
            [lease, running, user],
            [this.redis.instanceId, ttl, now + ttl, sessionId],
          );
          if (result === 0 && this.owned.has(sessionId)) {
            this.forget(sessionId);
            this.options.onLost(sessionId);
            return;
          }
          if (result === 2 && !(await this.options.onReclaimed(sessionId))) return;
          if (this.owned.has(sessionId)) this.validUntil.set(sessionId, now + ttl);
        } catch {
          // Redis is away: the next renewal tries again (the connection logs its state once).
        }
      }),
    );
  }

  close(): void {
    clearInterval(this.timer);
  }
}
