// The sessions plugin: the comparison engine as `app.comparisons`, recovery at start, shutdown at close.
import fp from 'fastify-plugin';
import { createSessionsRepository } from '../repositories/sessions.js';
import { ComparisonRunner } from '../services/comparison-runner.js';
import { type ComparisonService, createComparisonService } from '../services/comparison-service.js';
import { EventLogRegistry } from '../services/event-log.js';
import { ProgressWriter } from '../services/progress-writer.js';
import { recoverInterruptedSessions } from '../services/recovery.js';

declare module 'fastify' {
  interface FastifyInstance {
    comparisons: ComparisonService;
  }
}

/** Internal knobs, not environment settings: tests shorten them, production keeps the defaults. */
export interface SessionsOptions {
  /** `: ping` comments on every open stream this often (the contract wants at least every 15 s). */
  pingIntervalMs: number;
  /** Streamed text and events are written at least this often (the issue wants at least once a second). */
  flushIntervalMs: number;
  /** A stream client whose socket is full and that lags this many bytes is disconnected. */
  maxLagBytes: number;
  /** The `retry:` hint sent to EventSource clients: how soon they reconnect, in milliseconds. */
  retryMs: number;
  /** A finished session's event log stays in memory this long for late subscribers and reconnects. */
  logRetentionMs: number;
}

export const defaultSessionsOptions: SessionsOptions = {
  pingIntervalMs: 15_000,
  flushIntervalMs: 250,
  maxLagBytes: 8 * 1024 * 1024,
  retryMs: 2000,
  logRetentionMs: 60_000,
};

export default fp<Partial<SessionsOptions>>(
  async (app, opts) => {
    const options = { ...defaultSessionsOptions, ...opts };
    const repo = createSessionsRepository(app.db);
    // Before anything runs: a session left running by a process that died cannot finish any more.
    recoverInterruptedSessions(repo, app.log);

    const logs = new EventLogRegistry(options.logRetentionMs);
    const writer = new ProgressWriter(repo, options.flushIntervalMs, app.log);
    const runner = new ComparisonRunner({
      providerFor: (model) => app.providers.providerFor(model),
      logs,
      writer,
      log: app.log,
      // A backstop behind the providers' own idle timeout, which reports the failure more precisely.
      idleTimeoutMs: app.config.providers.idleTimeoutMs + 5_000,
    });
    app.decorate(
      'comparisons',
      createComparisonService({
        repo,
        runner,
        logs,
        models: app.providers,
        signTicket: (userId, sessionId) => app.tickets.sign(userId, sessionId),
        maxRunningPerUser: app.config.limits.maxRunningPerUser,
        sse: {
          pingIntervalMs: options.pingIntervalMs,
          maxLagBytes: options.maxLagBytes,
          writeChunkBytes: 64 * 1024,
          retryMs: options.retryMs,
        },
      }),
    );

    // app.close() would otherwise wait for open streams, and the database must outlive the last write.
    app.addHook('preClose', async () => {
      await app.comparisons.close(app.config.shutdownGraceMs);
      writer.close();
    });
    app.addHook('onClose', async () => {
      writer.close();
      logs.clear();
    });
  },
  { name: 'sessions', dependencies: ['db', 'auth', 'providers'] },
);
