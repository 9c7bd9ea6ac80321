// Start-up recovery: sessions a dead process left running are closed as failed, partial text kept.
import type { FastifyBaseLogger } from 'fastify';
import type {
  InterruptedSession,
  ResponseProgress,
  SessionStore,
  StoredResponse,
} from '../repositories/types.js';
import type { BudgetStore } from './budget.js';
import { settleEnded } from './budget-follower.js';
import { TERMINAL_STATUSES } from './comparison-runner.js';
import { MAX_UNSTORED_EVENTS, SessionEventLog } from './event-log.js';
import { type ModelMetrics, tokensPerSecond } from './metrics.js';

export const INTERRUPTED_SESSION =
  'The server stopped while this comparison was running; the partial responses were kept';
export const INTERRUPTED_MODEL = 'interrupted: the server stopped before this model finished';

/** A stored response's figures as the metrics of its ending event. */
function metricsOf(r: StoredResponse): ModelMetrics {
  return {
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cachedInputTokens: r.cachedInputTokens,
    cacheWriteInputTokens: r.cacheWriteInputTokens,
    reasoningTokens: r.reasoningTokens,
    cost: r.cost,
    costSource: r.costSource ?? 'unknown',
    usageSource: r.usageSource ?? 'none',
    price: r.price,
    responseTimeMs: r.responseTimeMs,
    timeToFirstTokenMs: r.timeToFirstTokenMs,
    timeToFirstReasoningMs: r.timeToFirstReasoningMs,
    tokensPerSecond: tokensPerSecond(r.outputTokens, r.responseTimeMs, r.timeToFirstTokenMs),
    finishReason: r.finishReason,
  };
}

/**
 * One interrupted session ended, so that its stream replays to a proper end. The endings are
 * numbered past MAX_UNSTORED_EVENTS ids after the last stored one: a client may have seen that many
 * ids the store never got, and an id must never name two different events. A client resuming
 * from any id it saw therefore gets the endings. Text stored beyond the stored chunk events
 * becomes one more chunk, so that a replay still joins up to the stored response. `afterGap` is 0
 * when Redis held everything any client saw (a sibling instance ends a dead owner's session).
 */
export function endInterrupted(
  { session, responses, events }: InterruptedSession,
  log: FastifyBaseLogger,
  afterGap = MAX_UNSTORED_EVENTS,
) {
  const eventLog = SessionEventLog.fromStored(session.id, events);
  const streamed = new Map<string, { text: string; reasoning: string }>();
  const ended = new Set<string>();
  for (const { event: e } of eventLog.events) {
    if (e.type === 'model_chunk' || e.type === 'model_reasoning') {
      const seen = streamed.get(e.modelId) ?? { text: '', reasoning: '' };
      if (e.type === 'model_chunk') seen.text += e.chunk;
      else seen.reasoning += e.chunk;
      streamed.set(e.modelId, seen);
    } else if (e.type === 'model_complete' || e.type === 'model_error') ended.add(e.modelId);
  }
  const timestamp = new Date().toISOString();
  const updates: ResponseProgress[] = [];
  let gap = afterGap;
  const append = (event: Parameters<SessionEventLog['append']>[0]) => {
    eventLog.append(event, gap);
    gap = 0;
  };
  for (const r of responses) {
    const seen = streamed.get(r.modelId) ?? { text: '', reasoning: '' };
    if (r.response.length > seen.text.length && r.response.startsWith(seen.text)) {
      append({
        type: 'model_chunk',
        modelId: r.modelId,
        chunk: r.response.slice(seen.text.length),
        timestamp,
      });
    } else if (r.response !== seen.text) {
      log.warn({ sessionId: session.id, modelId: r.modelId }, 'stored text and stored chunks disagree');
    }
    let status = r.status;
    let errorMessage = r.errorMessage;
    if (!TERMINAL_STATUSES.has(r.status)) {
      status = 'error';
      errorMessage = INTERRUPTED_MODEL;
      updates.push({
        id: r.id,
        appendText: '',
        appendReasoning: '',
        status: 'error',
        final: { ...metricsOf(r), errorMessage: INTERRUPTED_MODEL },
      });
    }
    if (ended.has(r.modelId)) continue;
    const base = { modelId: r.modelId, metrics: metricsOf(r), timestamp };
    if (status === 'completed') append({ type: 'model_complete', ...base });
    else {
      const error = status === 'cancelled' ? 'cancelled' : (errorMessage ?? INTERRUPTED_MODEL);
      append({ type: 'model_error', ...base, error });
    }
  }
  // Whatever did complete, the comparison as a whole did not: it ends as failed.
  append({
    type: 'comparison_error',
    error: INTERRUPTED_SESSION,
    status: 'failed',
    errorMessage: INTERRUPTED_SESSION,
    timestamp,
  });
  const added = eventLog.events.slice(events.length);
  return {
    sessionId: session.id,
    events: added.map(({ id, event, data }) => ({ id, event: event.type, data })),
    responses: updates,
    final: { status: 'failed' as const, errorMessage: INTERRUPTED_SESSION, finalEventId: eventLog.lastId },
  };
}

/** Ends every session a stopped process left pending or in progress; returns how many. */
export async function recoverInterruptedSessions(
  store: SessionStore,
  log: FastifyBaseLogger,
  budgets?: BudgetStore,
): Promise<number> {
  const interrupted = await store.findInterrupted();
  for (const found of interrupted) {
    const ending = endInterrupted(found, log);
    await store.persist([ending]);
    await settleEnded(budgets, [ending], log);
  }
  if (interrupted.length > 0)
    log.warn({ sessions: interrupted.length }, 'marked comparisons interrupted by a previous stop as failed');
  return interrupted.length;
}
