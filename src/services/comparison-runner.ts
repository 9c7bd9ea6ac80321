// The comparison engine: runs every model of a session at once and turns their parts into one event log.
import type { FastifyBaseLogger } from 'fastify';
import type { ResponseStatus } from '../db/schema.js';
import { type ModelInfo, type Provider, ProviderError, type Usage } from '../providers/types.js';
import { type EventLogRegistry, SessionEventLog } from './event-log.js';
import { type ModelMetrics, modelMetrics, sessionMetrics } from './metrics.js';
import type { ProgressWriter } from './progress-writer.js';

export interface RunnerDeps {
  providerFor(model: ModelInfo): Provider;
  logs: EventLogRegistry;
  writer: ProgressWriter;
  log: FastifyBaseLogger;
  /** A model that sends nothing for this long is ended with an error and its request aborted. */
  idleTimeoutMs: number;
}

export interface RunRequest {
  sessionId: string;
  userId: string;
  prompt: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  models: { responseId: string; model: ModelInfo }[];
}

type Ending = { status: 'completed' } | { status: 'error' | 'cancelled'; error: string };

export interface ModelRun {
  responseId: string;
  model: ModelInfo;
  controller: AbortController;
  text: string;
  status: ResponseStatus;
  startedAt: number;
  firstTokenAt?: number;
  lastTokenAt?: number;
  usage?: Usage;
  metrics?: ModelMetrics;
  errorMessage?: string;
  /** What the database already holds, so that a write sends only what changed. */
  persisted: { textLength: number; status: ResponseStatus };
}

export interface SessionRun {
  request: RunRequest;
  log: SessionEventLog;
  models: ModelRun[];
  /** Why the session was cancelled, once it was. */
  cancelled?: string;
  ended: boolean;
  /** Resolves once every model has ended and the session's end is written. */
  settled: Promise<void>;
  markSettled: () => void;
  /** Events the database already holds, and whether it holds the session's end. */
  persisted: { events: number; final: boolean };
}

const CANCELLED = 'cancelled';

function failureMessage(err: unknown, model: ModelInfo): string {
  if (err instanceof ProviderError) return err.message;
  return `${model.name} failed unexpectedly`;
}

export class ComparisonRunner {
  private readonly runs = new Map<string, SessionRun>();

  constructor(private readonly deps: RunnerDeps) {}

  get active(): number {
    return this.runs.size;
  }

  get(sessionId: string): SessionRun | undefined {
    return this.runs.get(sessionId);
  }

  runningFor(userId: string): number {
    let n = 0;
    for (const run of this.runs.values()) if (run.request.userId === userId) n++;
    return n;
  }

  /** Starts every model at once; returns at once. The run belongs to the server, not to a client. */
  start(request: RunRequest): SessionRun {
    const log = this.deps.logs.add(new SessionEventLog(request.sessionId));
    const now = Date.now();
    let resolve = () => {};
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    const run: SessionRun = {
      request,
      log,
      models: request.models.map(({ responseId, model }) => ({
        responseId,
        model,
        controller: new AbortController(),
        text: '',
        status: 'pending',
        startedAt: now,
        persisted: { textLength: 0, status: 'pending' },
      })),
      ended: false,
      settled: promise,
      markSettled: resolve,
      persisted: { events: 0, final: false },
    };
    run.settled.then(() => this.runs.delete(request.sessionId));
    this.runs.set(request.sessionId, run);
    for (const model of run.models) void this.runModel(run, model);
    return run;
  }

  /** Stops every model still running; each ends with model_error "cancelled", the session likewise. */
  cancel(sessionId: string, reason = 'Cancelled by the user'): boolean {
    const run = this.runs.get(sessionId);
    if (!run || run.ended) return false;
    run.cancelled = reason;
    for (const model of run.models) this.endModel(run, model, { status: 'cancelled', error: CANCELLED });
    return true;
  }

  /** Waits up to `graceMs` for running sessions to finish, then cancels the rest. */
  async shutdown(graceMs: number, reason: string): Promise<void> {
    const all = () => Promise.all([...this.runs.values()].map((r) => r.settled));
    if (this.runs.size > 0 && graceMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    for (const id of [...this.runs.keys()]) this.cancel(id, reason);
    await all();
  }

  private async runModel(run: SessionRun, m: ModelRun): Promise<void> {
    const { request } = run;
    const signal = m.controller.signal;
    const idleSeconds = Math.round(this.deps.idleTimeoutMs / 1000);
    // Our own watchdog: the SDKs' timeouts cover only the wait for response headers.
    const watchdog = setTimeout(
      () =>
        this.endModel(run, m, {
          status: 'error',
          error: `${m.model.name} sent nothing for ${idleSeconds} s; the request was abandoned`,
        }),
      this.deps.idleTimeoutMs,
    );
    try {
      const stream = this.deps.providerFor(m.model).stream({
        model: m.model,
        messages: [
          ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
          { role: 'user' as const, content: request.prompt },
        ],
        temperature: request.temperature,
        maxTokens: request.maxTokens,
        signal,
      });
      for await (const part of stream) {
        // Ended meanwhile (cancel, watchdog): leaving the loop closes the provider's request.
        if (this.isEnded(m)) break;
        watchdog.refresh();
        if (part.type === 'text') this.onText(run, m, part.text);
        else if (part.type === 'finish' && part.usage) m.usage = part.usage;
      }
      // An aborted SDK stream may end quietly instead of throwing: never call that completed.
      if (signal.aborted) this.endModel(run, m, { status: 'cancelled', error: CANCELLED });
      else this.endModel(run, m, { status: 'completed' });
    } catch (err) {
      if (!this.isEnded(m)) {
        if (!signal.aborted && !(err instanceof ProviderError))
          this.deps.log.error({ err, modelId: m.model.id }, 'model stream failed unexpectedly');
        const ending: Ending = signal.aborted
          ? { status: 'cancelled', error: CANCELLED }
          : { status: 'error', error: failureMessage(err, m.model) };
        this.endModel(run, m, ending);
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  private isEnded(m: ModelRun): boolean {
    return m.status === 'completed' || m.status === 'error' || m.status === 'cancelled';
  }

  private onText(run: SessionRun, m: ModelRun, text: string): void {
    if (text.length === 0) return;
    const now = Date.now();
    if (m.firstTokenAt === undefined) {
      m.firstTokenAt = now;
      m.status = 'streaming';
    }
    m.lastTokenAt = now;
    m.text += text;
    run.log.append('model_chunk', {
      sessionId: run.request.sessionId,
      modelId: m.model.id,
      chunk: text,
      timestamp: new Date(now).toISOString(),
    });
    this.deps.writer.markDirty(run);
  }

  /** The first ending of a model wins; later ones (a late provider error after a cancel) are ignored. */
  private endModel(run: SessionRun, m: ModelRun, ending: Ending): void {
    if (this.isEnded(m)) return;
    const endedAt = Date.now();
    m.status = ending.status;
    if (ending.status !== 'completed') {
      m.errorMessage = ending.error;
      // Closes the upstream request at once; harmless when it is already closed.
      m.controller.abort(ending.error);
    }
    m.metrics = modelMetrics(m.model, m.usage, { ...m, endedAt });
    const base = { sessionId: run.request.sessionId, modelId: m.model.id };
    const timestamp = new Date(endedAt).toISOString();
    if (ending.status === 'completed') {
      run.log.append('model_complete', { ...base, metrics: m.metrics, timestamp });
    } else {
      run.log.append('model_error', { ...base, error: ending.error, timestamp });
    }
    if (run.models.every((x) => this.isEnded(x))) this.endSession(run);
    else this.deps.writer.flushNow(run);
  }

  private endSession(run: SessionRun): void {
    if (run.ended) return;
    run.ended = true;
    const { sessionId } = run.request;
    const timestamp = new Date().toISOString();
    const anyCompleted = run.models.some((m) => m.status === 'completed');
    if (run.cancelled) {
      run.log.append('comparison_error', { sessionId, error: CANCELLED, timestamp });
    } else if (anyCompleted) {
      const metrics = sessionMetrics(
        run.models.map((m) => ({ status: m.status, ...(m.metrics as ModelMetrics) })),
      );
      run.log.append('comparison_complete', { sessionId, metrics, timestamp });
    } else {
      run.log.append('comparison_error', { sessionId, error: 'Every model failed', timestamp });
    }
    // Written before any subscriber can see the final event: their writes wait for the next turn.
    this.deps.writer.flushNow(run);
    this.deps.logs.retire(sessionId);
    run.markSettled();
  }
}

/** The session's final status and message, from its run. */
export function sessionOutcome(run: SessionRun): {
  status: 'completed' | 'failed' | 'cancelled';
  errorMessage: string | null;
} {
  if (run.cancelled) return { status: 'cancelled', errorMessage: run.cancelled };
  if (run.models.some((m) => m.status === 'completed')) return { status: 'completed', errorMessage: null };
  return { status: 'failed', errorMessage: 'Every model failed' };
}
