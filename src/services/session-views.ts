// How a stored session reads to its owner: one response, and one history entry, from rows and live runs.
import type { ResponseSummary, StoredResponse, StoredSession } from '../repositories/types.js';
import { blindError, isHidden, slotOf } from './blind.js';
import type { ModelRun } from './comparison-runner.js';
import { sessionMetrics, tokensPerSecond } from './metrics.js';

/** A response as GET /comparison/:id shows it; a running model is read from memory (the store lags it). */
export function responseView(r: StoredResponse, live?: ModelRun) {
  const status = live?.status ?? r.status;
  const ttft =
    r.timeToFirstTokenMs ?? (live?.firstTokenAt !== undefined ? live.firstTokenAt - live.startedAt : null);
  const ttfr =
    r.timeToFirstReasoningMs ??
    (live?.firstReasoningAt !== undefined ? live.firstReasoningAt - live.startedAt : null);
  return {
    id: r.id,
    modelId: r.modelId,
    provider: r.provider,
    response: live?.text ?? r.response,
    reasoning: live?.reasoning ?? r.reasoning,
    status,
    finishReason: r.finishReason,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedInputTokens: r.cachedInputTokens,
    cacheWriteInputTokens: r.cacheWriteInputTokens,
    reasoningTokens: r.reasoningTokens,
    cost: r.cost,
    costSource: r.costSource,
    usageSource: r.usageSource,
    price: r.price,
    responseTimeMs: r.responseTimeMs,
    timeToFirstTokenMs: ttft,
    timeToFirstReasoningMs: ttfr,
    tokensPerSecond: tokensPerSecond(r.outputTokens, r.responseTimeMs, r.timeToFirstTokenMs),
    errorMessage: r.errorMessage,
    createdAt: r.createdAt.toISOString(),
  };
}

export type ResponseView = ReturnType<typeof responseView>;

/** A history entry: the session without the response texts (slots only in a hidden blind one). */
export function summaryView(s: StoredSession, responses: ResponseSummary[]) {
  const own = responses.filter((r) => r.sessionId === s.id);
  const hidden = isHidden(s);
  return {
    id: s.id,
    prompt: s.prompt,
    status: s.status,
    errorMessage: s.errorMessage,
    models: own.map((r) =>
      hidden
        ? { modelId: slotOf(r.position), provider: null, status: r.status }
        : { modelId: r.modelId, provider: r.provider, status: r.status },
    ),
    metrics: hidden ? null : sessionMetrics(own),
    blind: s.blind,
    revealed: s.revealedAt !== null,
    parentId: s.parentId,
    turn: s.turn,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

type HiddenField =
  | 'provider'
  | 'inputTokens'
  | 'outputTokens'
  | 'cachedInputTokens'
  | 'cacheWriteInputTokens'
  | 'reasoningTokens'
  | 'responseTimeMs'
  | 'timeToFirstTokenMs'
  | 'timeToFirstReasoningMs'
  | 'tokensPerSecond';
export type HiddenResponseView = Omit<ResponseView, HiddenField> & {
  [K in HiddenField]: ResponseView[K] | null;
};

/** A response of a hidden blind session: its slot, its text and status, and nothing that tells the model. */
export function hiddenResponse(r: ResponseView, position: number): HiddenResponseView {
  const slot = slotOf(position);
  return {
    ...r,
    modelId: slot,
    provider: null,
    inputTokens: null,
    outputTokens: null,
    cachedInputTokens: null,
    cacheWriteInputTokens: null,
    reasoningTokens: null,
    cost: null,
    costSource: null,
    usageSource: null,
    price: null,
    responseTimeMs: null,
    timeToFirstTokenMs: null,
    timeToFirstReasoningMs: null,
    tokensPerSecond: null,
    errorMessage: r.errorMessage === null ? null : blindError(slot, r.errorMessage),
  };
}
