// Sessions shared by several instances through Redis: ownership, publishing, mirrors, cancels, failover.
import type { FastifyBaseLogger } from 'fastify';
import { Errors } from '../errors.js';
import type { RedisConnections } from '../plugins/redis.js';
import type { SessionStore } from '../repositories/types.js';
import type { ComparisonRunner, SessionRun } from './comparison-runner.js';
import type { EventLogRegistry, SessionEventLog } from './event-log.js';
import { FailoverSweeper } from './failover.js';
import type { ProgressWriter } from './progress-writer.js';
import type { RecoveryHooks } from './recovery.js';
import { RemoteStreams } from './redis-mirror.js';
import { RedisPublisher } from './redis-publisher.js';
import { SessionLeases } from './session-leases.js';

/** Timings of the scale-out; tests shorten them. Owner death is noticed within leaseTtlMs + sweepMs. */
export interface SharedTimings {
  leaseTtlMs: number;
  renewMs: number;
  sweepMs: number;
  /** A finished session's stream stays in Redis this long (the store has it all by then). */
  finishedStreamTtlMs: number;
  /** A running session's stream expires this long after its last append (nothing stays for ever). */
  streamTtlMs: number;
  retryMs: number;
}

export const defaultSharedTimings: SharedTimings = {
  leaseTtlMs: 10_000,
  renewMs: 3_000,
  sweepMs: 5_000,
  finishedStreamTtlMs: 60_000,
  streamTtlMs: 24 * 3600_000,
  retryMs: 250,
};

/** What the comparison service asks of the other instances. */
export interface SharedSessions {
  /** Counts a new session of the user on every instance and takes its lease; false at the limit. */
  admit(userId: string, sessionId: string, limit: number): Promise<boolean>;
  /** The session was not started after all: its count and lease go. */
  release(sessionId: string): Promise<void>;
  /** A log that follows a session another instance runs, from the store's events on. */
  mirror(sessionId: string, stored: Parameters<RemoteStreams['mirror']>[1]): Promise<SessionEventLog>;
  /** Tells the owner (wherever it runs) to cancel; true when an instance was listening. */
  cancelRemote(sessionId: string, reason: string): Promise<boolean>;
}

interface Parts {
  redis: RedisConnections;
  store: SessionStore;
  logs: EventLogRegistry;
  writer: ProgressWriter;
  /** Set once the runner exists (the runner's followers need this object first). */
  runner?: ComparisonRunner;
  log: FastifyBaseLogger;
  timings: SharedTimings;
  /** The engine's cost estimate and budget settlement for the sessions a failover ends. */
  recoveryHooks?: RecoveryHooks;
}

export function createSharedSessions(parts: Parts) {
  const { redis, store, logs, writer, log, timings } = parts;
  const cancelChannel = redis.key('cancel');

  /** This instance stalled past its lease and another one ended the session: stop it here, quietly. */
  function lost(sessionId: string): void {
    publisher.unfollow(sessionId);
    leases.forget(sessionId);
    writer.drop(sessionId);
    const abandoned = parts.runner?.abandon(sessionId);
    if (!abandoned) return;
    // Its subscribers here end; reconnecting, they get the endings the new owner wrote.
    logs.remove(sessionId, abandoned);
    abandoned.cutAtVisible();
  }

  const leases = new SessionLeases(
    redis,
    {
      leaseTtlMs: timings.leaseTtlMs,
      renewMs: timings.renewMs,
      finishedStreamTtlMs: timings.finishedStreamTtlMs,
      async onReclaimed(sessionId) {
        // A session the store holds as ended was taken over while this instance stalled: not ours.
        const unfinished = await store.findUnfinished(sessionId).then(
          (found) => found !== undefined,
          () => true,
        );
        if (!unfinished) {
          log.error({ sessionId }, 'another instance ended this comparison meanwhile; stopping it here');
          await leases.release(sessionId);
          lost(sessionId);
          return false;
        }
        publisher.republish(sessionId);
        return true;
      },
      onLost: lost,
    },
    log,
  );
  const publisher = new RedisPublisher(
    redis,
    {
      streamTtlMs: timings.streamTtlMs,
      retryMs: timings.retryMs,
      onLost: lost,
      onDone: (sessionId) => void leases.release(sessionId),
    },
    log,
  );
  const mirrors = new RemoteStreams(
    redis,
    {
      staleMs: timings.leaseTtlMs + timings.sweepMs,
      unreadMs: 30_000,
      async endedInStore(sessionId, afterId) {
        if (await store.findUnfinished(sessionId)) return undefined;
        return store.eventsAfter(sessionId, afterId);
      },
      storedAfter: (sessionId, afterId) => store.eventsAfter(sessionId, afterId),
      onDropped(sessionId, finished) {
        const current = logs.get(sessionId);
        if (!current) return;
        if (finished) logs.retire(sessionId);
        else logs.remove(sessionId, current);
      },
    },
    log,
  );
  const sweeper = new FailoverSweeper(
    redis,
    store,
    {
      sweepMs: timings.sweepMs,
      claimTtlMs: 10 * 60_000,
      finishedStreamTtlMs: timings.finishedStreamTtlMs,
      hooks: parts.recoveryHooks,
    },
    log,
    (sessionId) => leases.owns(sessionId),
  );

  // The store hears from this instance only while its lease is surely its own.
  writer.mayWrite = (sessionId) => leases.holds(sessionId);

  // A cancel sent to any instance reaches the owner at once.
  const subscribed = redis.subscriber.subscribe(cancelChannel, (message) => {
    try {
      const { sessionId, reason } = JSON.parse(message) as { sessionId?: unknown; reason?: unknown };
      if (typeof sessionId !== 'string') return;
      parts.runner?.cancel(sessionId, typeof reason === 'string' ? reason : undefined);
    } catch {
      log.warn('an unreadable cancel message arrived from redis');
    }
  });

  /** A Redis that does not answer is a 503 for the request that needed it, logged once per request. */
  async function needing<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      log.warn({ err }, `${what} failed: redis did not answer`);
      throw new Errors.SharedStateUnavailable();
    }
  }

  const shared: SharedSessions = {
    admit: (userId, sessionId, limit) =>
      needing('admitting a comparison', () => leases.admit(userId, sessionId, limit)),
    release: (sessionId) => leases.release(sessionId),
    mirror: (sessionId, stored) =>
      needing('following a comparison of another instance', () => mirrors.mirror(sessionId, stored)),
    cancelRemote: (sessionId, reason) =>
      needing('sending a cancel', async () => {
        const receivers = await redis.command.publish(cancelChannel, JSON.stringify({ sessionId, reason }));
        return receivers > 0;
      }),
  };

  return {
    shared,
    ready: subscribed,
    /** Set once the runner exists: cancels and takeovers act on it. */
    set runner(runner: ComparisonRunner) {
      parts.runner = runner;
    },
    /** The runner's follower: the run's log goes to Redis, gated until Redis acknowledged it. */
    follow(run: SessionRun): void {
      publisher.follow(run.request.sessionId, run.log);
    },
    /** Start-up recovery: ends the sessions of dead instances, never a live sibling's. */
    recover: () => sweeper.recoverAll(),
    /** Shutdown, after the store's writer closed: publish what is left, stop renewing and sweeping. */
    async closeOwned(waitMs: number): Promise<void> {
      await publisher.close(waitMs);
      leases.close();
      await sweeper.close();
    },
    /** Shutdown, after the open streams ended: mirrors stop reading. */
    async closeMirrors(): Promise<void> {
      await mirrors.close();
      // The subscriber has no command timeout: with Redis away an UNSUBSCRIBE would wait for ever.
      if (redis.subscriber.isReady) await redis.subscriber.unsubscribe(cancelChannel).catch(() => undefined);
    },
  };
}

export type SharedSessionsRuntime = ReturnType<typeof createSharedSessions>;
