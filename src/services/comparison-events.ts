// The typed events of a running comparison: the one source every reader (stream, store, metrics) follows.
import type { ProviderErrorKind } from '../providers/types.js';
import type { ModelMetrics, SessionMetrics } from './metrics.js';

/** Why a model failed, for in-process readers (metrics): a provider's error kind, or one of the engine's. */
export type ModelFailureKind = ProviderErrorKind | 'internal';

export type ComparisonEvent =
  | { type: 'model_chunk'; modelId: string; chunk: string; timestamp: string }
  | { type: 'model_reasoning'; modelId: string; chunk: string; timestamp: string }
  | { type: 'model_complete'; modelId: string; metrics: ModelMetrics; timestamp: string }
  /** `metrics`: what the model used before it failed (tokens the provider reported, or an estimate). */
  | {
      type: 'model_error';
      modelId: string;
      error: string;
      metrics: ModelMetrics;
      timestamp: string;
      /** Not on the wire nor stored (the contract's shape): absent on events read back or recovered. */
      failure?: ModelFailureKind;
    }
  | { type: 'comparison_complete'; metrics: SessionMetrics; timestamp: string }
  | {
      type: 'comparison_error';
      error: string;
      /** The session's final status and its stored message ("Cancelled by the user", ...). */
      status: 'failed' | 'cancelled';
      errorMessage: string;
      timestamp: string;
    };

export type EventName = ComparisonEvent['type'];
export type ModelEvent = Extract<ComparisonEvent, { modelId: string }>;

export const eventNames: readonly EventName[] = [
  'model_chunk',
  'model_reasoning',
  'model_complete',
  'model_error',
  'comparison_complete',
  'comparison_error',
];

export const isFinalEvent = (e: ComparisonEvent) =>
  e.type === 'comparison_complete' || e.type === 'comparison_error';

/** A model's ending or the session's: these are visible to clients only once stored. */
export const isEnding = (e: ComparisonEvent) =>
  e.type === 'model_complete' || e.type === 'model_error' || isFinalEvent(e);

/**
 * The owner's JSON data line: the event's fields with the session id first, as the contract shows
 * them. Written by hand for the hot events so the common case builds one small object.
 */
export function ownerData(sessionId: string, e: ComparisonEvent): string {
  switch (e.type) {
    case 'model_chunk':
    case 'model_reasoning':
      return JSON.stringify({ sessionId, modelId: e.modelId, chunk: e.chunk, timestamp: e.timestamp });
    case 'model_error': {
      const { type: _type, failure: _failure, ...fields } = e;
      return JSON.stringify({ sessionId, ...fields });
    }
    default: {
      const { type: _type, ...fields } = e;
      return JSON.stringify({ sessionId, ...fields });
    }
  }
}

/** Metrics an event of an earlier version lacked: neutral values, the cost unknown. */
const zeroMetrics: ModelMetrics = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  reasoningTokens: null,
  cost: null,
  costSource: 'unknown',
  usageSource: 'none',
  price: null,
  responseTimeMs: null,
  timeToFirstTokenMs: null,
  timeToFirstReasoningMs: null,
  tokensPerSecond: null,
  finishReason: null,
};

type Json = Record<string, unknown>;
const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});

/**
 * An event read back from the database (name + owner JSON), typed again. Rows come from our own
 * writes; rows of earlier versions lack newer fields, which get neutral values, and an unknown
 * name (a newer version's event) becomes a model_error so a replay still ends.
 */
export function parseStoredEvent(name: string, data: string): ComparisonEvent {
  const d = obj(JSON.parse(data));
  const timestamp = str(d.timestamp);
  const modelId = str(d.modelId);
  switch (name) {
    case 'model_chunk':
    case 'model_reasoning':
      return { type: name, modelId, chunk: str(d.chunk), timestamp };
    case 'model_complete':
      return {
        type: name,
        modelId,
        metrics: { ...zeroMetrics, ...obj(d.metrics) } as ModelMetrics,
        timestamp,
      };
    case 'comparison_complete':
      return { type: name, metrics: obj(d.metrics) as unknown as SessionMetrics, timestamp };
    case 'comparison_error': {
      const error = str(d.error, 'failed');
      const status = d.status === 'cancelled' || error === 'cancelled' ? 'cancelled' : 'failed';
      return { type: name, error, status, errorMessage: str(d.errorMessage, error), timestamp };
    }
    default:
      return {
        type: 'model_error',
        modelId,
        error: str(d.error, `unknown event ${name}`),
        metrics: { ...zeroMetrics, ...obj(d.metrics) } as ModelMetrics,
        timestamp,
      };
  }
}
