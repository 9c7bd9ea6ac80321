// The sessions plugin: the comparison engine as `app.comparisons`, recovery at start, shutdown at close.
import fp from 'fastify-plugin';
import { loadTokenCounter } from '../providers/token-count.js';
import { settleBudgets } from '../services/budget-follower.js';
import { ComparisonRunner, type SessionRun } from '../services/comparison-runner.js';
import {
  type ComparisonService,
  createComparisonService,
  SHUTDOWN_REASON,
} from '../services/comparison-service.js';
import { type ConversationService, createConversationService } from '../services/conversation.js';
import { EventLogRegistry } from '../services/event-log.js';
import { createVotesService, type VotesService } from '../services/judging/votes-service.js';
import { ProgressWriter } from '../services/progress-writer.js';
import { raceTimeout } from '../services/race-timeout.js';
import { recoverInterruptedSessions } from '../services/recovery.js';
import { recoveryCosts } from '../services/recovery-costs.js';
import {
  createSharedSessions,
  defaultSharedTimings,
  type SharedTimings,
} from '../services/shared-sessions.js';
import type { SseOptions, SseSubscriber } from '../services/sse-subscriber.js';

/** The open stream clients, so shutdown can let them send their final events and then end them. */
export class StreamClients {
  private readonly open = new Set<SseSubscriber>();
  constructor(readonly options: SseOptions) {}

  add(subscriber: SseSubscriber): void {
    this.open.add(subscriber);
    void subscriber.done.then(() => this.open.delete(subscriber));
  }

  get count(): number {
    return this.open.size;
  }

  /** Waits up to `ms` for every stream to end by itself, then ends the rest. */
  async closeAll(ms: number): Promise<void> {
    await raceTimeout(Promise.all([...this.open].map((s) => s.done)), ms);
    for (const s of this.open) s.close();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    comparisons: ComparisonService;
    conversations: ConversationService;
    votes: VotesService;
    streamClients: StreamClients;
  }
}

/** Internal knobs, not environment settings: tests shorten them, production keeps the defaults. */
export interface SessionsOptions {
  /** `: ping` comments on every open stream this often (the contract wants at least every 15 s). */
  pingIntervalMs: number;
  /**
   * Streamed text and events are written at least this often (the issue wants at least once a
   * second; 800 ms leaves room for a late timer and slices). Every write of a streaming session
   * costs its pages (its events row, its response's text, its session's touch): at 250 ms the
   * relay A/B (bench/relay-ab.ts) measured 3-10% more CPU per chunk and a third more chunk
   * latency at 200 streams than at 800-1000 ms. Endings are written at once either way.
   */
  flushIntervalMs: number;
  /** A stream client whose socket is full and that lags this many bytes is disconnected. */
  maxLagBytes: number;
  /** A stream client whose socket takes nothing for this long is disconnected. */
  stallTimeoutMs: number;
  /** The `retry:` hint sent to EventSource clients: how soon they reconnect, in milliseconds. */
  retryMs: number;
  /** A finished session's event log stays in memory this long for late subscribers and reconnects. */
  logRetentionMs: number;
  /** With REDIS_URL: lease, sweep and stream timings (owner death is noticed within lease + sweep). */
  shared: Partial<SharedTimings>;
}

export const defaultSessionsOptions: SessionsOptions = {
  pingIntervalMs: 15_000,
  flushIntervalMs: 800,
  maxLagBytes: 8 * 1024 * 1024,
  stallTimeoutMs: 60_000,
  retryMs: 2000,
  logRetentionMs: 60_000,
  shared: {},
};

export default fp<Partial<SessionsOptions> & { followers?: ((run: SessionRun) => void)[] }>(
  async (app, opts) => {
    const options = { ...defaultSessionsOptions, ...opts };
    const store = app.stores.sessions;
    const logs = new EventLogRegistry(options.logRetentionMs);
    const writer = new ProgressWriter(store, options.flushIntervalMs, app.log);
    const tokens = await loadTokenCounter();
    // Recovery prices what an interrupted model streamed and settles its budget reservation.
    const recoveryHooks = recoveryCosts({
      models: app.providers,
      tokens,
      budgets: app.budgets,
      log: app.log,
    });
    // Several instances: sessions are owned, published and mirrored through Redis.
    const scaleOut = app.redis
      ? createSharedSessions({
          redis: app.redis,
          store,
          logs,
          writer,
          log: app.log,
          timings: { ...defaultSharedTimings, ...options.shared },
          recoveryHooks,
        })
      : undefined;
    // Before anything runs: a session left running by a process that died cannot finish any more.
    // With Redis only sessions whose owner's lease lapsed: a live sibling instance runs the others.
    if (scaleOut) {
      await scaleOut.ready;
      await scaleOut.recover();
    } else await recoverInterruptedSessions(store, app.log, recoveryHooks);

    const runner = new ComparisonRunner({
      providerFor: (model) => app.providers.providerFor(model),
      logs,
      log: app.log,
      // A backstop behind the providers' own idle timeout, which reports the failure more precisely.
      idleTimeoutMs: app.config.providers.idleTimeoutMs + 5_000,
      maxResponseChars: app.config.limits.maxResponseChars,
      tokens,
      followers: [
        (run) =>
          writer.follow({
            sessionId: run.request.sessionId,
            log: run.log,
            responseIds: new Map(run.models.map((m) => [m.model.id, m.responseId])),
          }),
        (run) => settleBudgets(run, app.budgets, app.log),
        // Registered after this plugin (it reads the open streams): looked up when a run starts.
        (run) => {
          if (app.hasDecorator('metrics')) app.metrics.follow(run);
        },
        ...(scaleOut ? [(run: SessionRun) => scaleOut.follow(run)] : []),
        ...(opts.followers ?? []),
      ],
    });
    if (scaleOut) scaleOut.runner = runner;
    app.decorate(
      'streamClients',
      new StreamClients({
        pingIntervalMs: options.pingIntervalMs,
        maxLagBytes: options.maxLagBytes,
        stallTimeoutMs: options.stallTimeoutMs,
        writeChunkBytes: 64 * 1024,
        retryMs: options.retryMs,
      }),
    );
    app.decorate(
      'comparisons',
      createComparisonService({
        store,
        runner,
        logs,
        models: app.providers,
        signTicket: (userId, sessionId) => app.tickets.sign(userId, sessionId),
        maxRunningPerUser: app.config.limits.maxRunningPerUser,
        budgets: app.budgets,
        tokens,
        shared: scaleOut?.shared,
      }),
    );

    app.decorate(
      'conversations',
      createConversationService({
        store,
        comparisons: app.comparisons,
        models: app.providers,
        isRunning: (id) => runner.get(id) !== undefined,
      }),
    );

    app.decorate(
      'votes',
      createVotesService({ sessions: store, votes: app.stores.votes, models: app.providers }),
    );

    // Shutdown: no new comparisons or streams; running ones get the grace period, then are cancelled
    // and stored; open streams get their final events (1 s at most), then end, all before the
    // database closes. app.close() would otherwise wait for the open streams.
    app.addHook('preClose', async () => {
      app.comparisons.stopAccepting();
      await runner.shutdown(app.config.shutdownGraceMs, SHUTDOWN_REASON);
      await writer.close();
      await scaleOut?.closeOwned(1000);
      await app.streamClients.closeAll(1000);
      await scaleOut?.closeMirrors();
    });
    app.addHook('onClose', async () => {
      logs.clear();
    });
  },
  { name: 'sessions', dependencies: ['repositories', 'redis', 'auth', 'providers', 'budgets'] },
);
