// The comparison engine: runs every model of a session at once and turns their parts into one event log.
import type { FastifyBaseLogger } from 'fastify';
import type { ResponseStatus } from '../db/schema.js';
import type { TokenCounter } from '../providers/token-count.js';
import {
  type ChatMessage,
  type FinishReason,
  type ModelInfo,
  type Provider,
  ProviderError,
  type Usage,
} from '../providers/types.js';
import type { ComparisonEvent, ModelFailureKind } from './comparison-events.js';
import { type EventLogRegistry, SessionEventLog } from './event-log.js';
import { type ModelMetrics, modelMetrics, sessionMetrics } from './metrics.js';
import { raceTimeout } from './race-timeout.js';
import { headOf, wellFormedChunk } from './text.js';

export interface RunnerDeps {
  providerFor(model: ModelInfo): Provider;
  logs: EventLogRegistry;
  log: FastifyBaseLogger;
  /** A model that sends nothing for this long is ended with an error and its request aborted. */
  idleTimeoutMs: number;
  /** A model whose answer (or reasoning) grows past this many characters is ended with an error. */
  maxResponseChars: number;
  /** Counts tokens here when a provider reported none, so the cost is an honest estimate. */
  tokens?: TokenCounter;
  /**
   * Called with each new run, before its models start: the followers of its log (the store's
   * writer, metrics, a publisher) start reading it here, each with its own cursor.
   */
  followers?: ((run: SessionRun) => void)[];
}

export interface RunRequest {
  sessionId: string;
  userId: string;
  temperature?: number;
  maxTokens?: number;
  /** A blind comparison: its readers see slots, never the models' names, until it is revealed. */
  blind?: boolean;
  /** Each model with the conversation it receives (its own history in a follow-up turn). */
  models: { responseId: string; model: ModelInfo; messages: ChatMessage[] }[];
}

type Ending =
  | { status: 'completed' }
  | { status: 'error' | 'cancelled'; error: string; failure: ModelFailureKind };

/** What the runner knows of one model while it runs; read by GET for a running session. */
export interface ModelRun {
  responseId: string;
  model: ModelInfo;
  messages: ChatMessage[];
  controller: AbortController;
  text: string;
  reasoning: string;
  status: ResponseStatus;
  startedAt: number;
  firstTokenAt?: number;
  firstReasoningAt?: number;
  lastTokenAt?: number;
  usage: Usage | null;
  finishReason: FinishReason | null;
  metrics?: ModelMetrics;
  errorMessage?: string;
  /** A high surrogate that ended the last delta: it goes out with the next one, never split from its pair. */
  carry: { text: string; reasoning: string };
}

export interface SessionRun {
  request: RunRequest;
  log: SessionEventLog;
  models: ModelRun[];
  /** Why the session was cancelled, once it was. */
  cancelled?: string;
  ended: boolean;
}

const CANCELLED = 'cancelled';
export const TERMINAL_STATUSES: ReadonlySet<ResponseStatus> = new Set(['completed', 'error', 'cancelled']);
const isEnded = (m: ModelRun) => TERMINAL_STATUSES.has(m.status);

const failureKind = (err: unknown): ModelFailureKind =>
  err instanceof ProviderError ? err.kind : 'internal';

function failureMessage(err: unknown, model: ModelInfo): string {
  if (err instanceof ProviderError) return err.message;
  return `${model.name} failed unexpectedly`;
}

/** The ISO time of `ms`, remembered for the millisecond: streaming chunks share their timestamps. */
let isoMs = -1;
let iso = '';
function isoAt(ms: number): string {
  if (ms !== isoMs) {
    isoMs = ms;
    iso = new Date(ms).toISOString();
  }
  return iso;
}

export class ComparisonRunner {
  private readonly runs = new Map<string, SessionRun>();
  /** Starts admitted but not begun yet (their session is being stored): they count as running. */
  private readonly reserved = new Map<string, number>();

  constructor(private readonly deps: RunnerDeps) {}

  get active(): number {
    return this.runs.size;
  }

  get(sessionId: string): SessionRun | undefined {
    return this.runs.get(sessionId);
  }

  runningFor(userId: string): number {
    let n = this.reserved.get(userId) ?? 0;
    for (const run of this.runs.values()) if (run.request.userId === userId) n++;
    return n;
  }

  /**
   * Admits one more run of `userId` if fewer than `limit` run now, counting it at once (synchronously),
   * so concurrent requests that await the store in between cannot both slip under the limit.
   * Returns the release function, or undefined when the limit is reached.
   */
  admit(userId: string, limit: number): (() => void) | undefined {
    if (this.runningFor(userId) >= limit) return undefined;
    this.reserved.set(userId, (this.reserved.get(userId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.reserved.get(userId) ?? 1) - 1;
      if (n <= 0) this.reserved.delete(userId);
      else this.reserved.set(userId, n);
    };
  }

  /** Starts every model at once; returns at once. The run belongs to the server, not to a client. */
  start(request: RunRequest): SessionRun {
    const log = this.deps.logs.add(new SessionEventLog(request.sessionId));
    const now = Date.now();
    const run: SessionRun = {
      request,
      log,
      models: request.models.map(({ responseId, model, messages }) => ({
        responseId,
        model,
        messages,
        controller: new AbortController(),
        text: '',
        reasoning: '',
        status: 'pending',
        startedAt: now,
        usage: null,
        finishReason: null,
        carry: { text: '', reasoning: '' },
      })),
      ended: false,
    };
    this.runs.set(request.sessionId, run);
    for (const follow of this.deps.followers ?? []) follow(run);
    void log.finalStored.then(() => {
      this.runs.delete(request.sessionId);
      this.deps.logs.retire(request.sessionId);
    });
    for (const model of run.models) void this.runModel(run, model);
    return run;
  }

  /** Stops every model still running; each ends with model_error "cancelled", the session likewise. */
  cancel(sessionId: string, reason = 'Cancelled by the user'): boolean {
    const run = this.runs.get(sessionId);
    if (!run || run.ended) return false;
    run.cancelled = reason;
    for (const model of run.models)
      this.endModel(run, model, { status: 'cancelled', error: CANCELLED, failure: 'cancelled' });
    return true;
  }

  /**
   * Another instance took the session over (this one stalled past its lease) and ends it there: its
   * models stop here at once, and nothing more is appended. Returns the run's log, or undefined.
   */
  abandon(sessionId: string): SessionEventLog | undefined {
    const run = this.runs.get(sessionId);
    if (!run) return undefined;
    run.ended = true;
    for (const m of run.models) {
      if (isEnded(m)) continue;
      m.status = 'error';
      m.controller.abort('taken over by another instance');
    }
    this.runs.delete(sessionId);
    return run.log;
  }

  /** Waits up to `graceMs` for running sessions to finish, then cancels the rest. */
  async shutdown(graceMs: number, reason: string): Promise<void> {
    const all = () => Promise.all([...this.runs.values()].map((r) => r.log.finalStored));
    if (this.runs.size > 0 && graceMs > 0) await raceTimeout(all(), graceMs);
    for (const id of [...this.runs.keys()]) this.cancel(id, reason);
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
          failure: 'timeout',
        }),
      this.deps.idleTimeoutMs,
    );
    let finished = false;
    try {
      const stream = this.deps.providerFor(m.model).stream({
        model: m.model,
        messages: m.messages,
        temperature: request.temperature,
        maxTokens: request.maxTokens,
        signal,
      });
      for await (const part of stream) {
        // Ended meanwhile (cancel, watchdog, a cap): leaving the loop closes the provider's request.
        if (isEnded(m)) break;
        watchdog.refresh();
        if (part.type === 'text') this.onDelta(run, m, 'text', part.text);
        else if (part.type === 'reasoning') this.onDelta(run, m, 'reasoning', part.text);
        else {
          m.usage = part.usage;
          m.finishReason = part.finishReason;
          finished = true;
        }
      }
      // An aborted SDK stream may end quietly instead of throwing: never call that completed.
      if (signal.aborted)
        this.endModel(run, m, { status: 'cancelled', error: CANCELLED, failure: 'cancelled' });
      else if (!finished)
        this.endModel(run, m, {
          status: 'error',
          error: `${m.model.name}'s stream ended before the answer was complete`,
          failure: 'network',
        });
      else this.endModel(run, m, { status: 'completed' });
    } catch (err) {
      if (!isEnded(m)) {
        if (!signal.aborted && !(err instanceof ProviderError))
          this.deps.log.error({ err, modelId: m.model.id }, 'model stream failed unexpectedly');
        const ending: Ending = signal.aborted
          ? { status: 'cancelled', error: CANCELLED, failure: 'cancelled' }
          : { status: 'error', error: failureMessage(err, m.model), failure: failureKind(err) };
        this.endModel(run, m, ending);
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  private onDelta(run: SessionRun, m: ModelRun, kind: 'text' | 'reasoning', delta: string): void {
    const whole = wellFormedChunk(m.carry[kind], delta);
    m.carry[kind] = whole.carry;
    // An answer never grows past the cap, not even by one delta: what passes it is cut off here, so
    // the relayed and stored text is at most maxResponseChars (one 7 MiB delta was relayed whole).
    const room = this.deps.maxResponseChars - m.text.length - m.reasoning.length;
    const over = whole.chunk.length > room;
    const chunk = over ? headOf(whole.chunk, room) : whole.chunk;
    if (chunk.length > 0) this.append(run, m, kind, chunk);
    if (over)
      this.endModel(run, m, {
        status: 'error',
        error: `${m.model.name}'s answer passed the limit of ${this.deps.maxResponseChars} characters; it was stopped there`,
        failure: 'too_large',
      });
  }

  private append(run: SessionRun, m: ModelRun, kind: 'text' | 'reasoning', chunk: string): void {
    const now = Date.now();
    if (kind === 'text') {
      m.firstTokenAt ??= now;
      m.lastTokenAt = now;
      m.text += chunk;
    } else {
      m.firstReasoningAt ??= now;
      m.reasoning += chunk;
    }
    if (m.status === 'pending') m.status = 'streaming';
    const type = kind === 'text' ? 'model_chunk' : 'model_reasoning';
    run.log.append({ type, modelId: m.model.id, chunk, timestamp: isoAt(now) });
  }

  /** The first ending of a model wins; later ones (a late provider error after a cancel) are ignored. */
  private endModel(run: SessionRun, m: ModelRun, ending: Ending): void {
    if (isEnded(m)) return;
    const endedAt = Date.now();
    this.flushCarry(run, m);
    // The carried character may itself have passed the size limit, which ended the model.
    if (isEnded(m)) return;
    m.status = ending.status;
    if (ending.status !== 'completed') {
      m.errorMessage = ending.error;
      // Closes the upstream request at once; harmless when it is already closed.
      m.controller.abort(ending.error);
    }
    const finishReason = ending.status === 'completed' ? m.finishReason : null;
    const { tokens } = this.deps;
    const estimated =
      m.usage || !tokens
        ? undefined
        : {
            inputTokens: tokens.countMessageTokens(m.messages),
            outputTokens: tokens.countTextTokens(m.text + m.reasoning),
          };
    const { stalePrice, computedCost, ...metrics } = modelMetrics(
      m.model,
      m.usage,
      { ...m, endedAt },
      finishReason,
      estimated,
    );
    if (stalePrice)
      this.deps.log.warn(
        { modelId: m.model.id, providerCost: metrics.cost, computedCost },
        'the provider charged more than 5% off our price: the catalogue price may be stale',
      );
    m.metrics = metrics;
    const base = { modelId: m.model.id, timestamp: new Date(endedAt).toISOString() };
    const event: ComparisonEvent =
      ending.status === 'completed'
        ? { type: 'model_complete', ...base, metrics: m.metrics }
        : { type: 'model_error', ...base, error: ending.error, metrics: m.metrics, failure: ending.failure };
    run.log.append(event);
    if (run.models.every(isEnded)) this.endSession(run);
  }

  /** A lone high surrogate left at the very end has no pair to wait for: it goes out as U+FFFD. */
  private flushCarry(run: SessionRun, m: ModelRun): void {
    for (const kind of ['text', 'reasoning'] as const) {
      if (!m.carry[kind]) continue;
      m.carry[kind] = '';
      this.onDelta(run, m, kind, '\uFFFD');
    }
  }

  private endSession(run: SessionRun): void {
    if (run.ended) return;
    run.ended = true;
    const timestamp = new Date().toISOString();
    const anyCompleted = run.models.some((m) => m.status === 'completed');
    if (run.cancelled) {
      run.log.append({
        type: 'comparison_error',
        error: CANCELLED,
        status: 'cancelled',
        errorMessage: run.cancelled,
        timestamp,
      });
    } else if (anyCompleted) {
      const metrics = sessionMetrics(
        run.models.map((m) => ({ status: m.status, ...(m.metrics as ModelMetrics) })),
      );
      run.log.append({ type: 'comparison_complete', metrics, timestamp });
    } else {
      const error = 'Every model failed';
      run.log.append({ type: 'comparison_error', error, status: 'failed', errorMessage: error, timestamp });
    }
  }
}
