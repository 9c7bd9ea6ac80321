// Start-up recovery: sessions a dead process left running are closed as failed, partial text kept.
import type { FastifyBaseLogger } from 'fastify';
import type { ResponseProgress, SessionsRepository } from '../repositories/sessions.js';
import { SessionEventLog } from './event-log.js';
import { tokensPerSecond } from './metrics.js';

export const INTERRUPTED_SESSION =
  'The server stopped while this comparison was running; the partial responses were kept';
export const INTERRUPTED_MODEL = 'interrupted: the server stopped before this model finished';

const TERMINAL = new Set(['completed', 'error', 'cancelled']);

/**
 * Ends every interrupted session so that its stream replays to a proper end: the missing model
 * endings and a `comparison_error` are appended after the events already stored, with the next
 * ids. Text stored beyond the stored chunk events becomes one more chunk, so that a replay still
 * joins up to the stored response.
 */
export function recoverInterruptedSessions(repo: SessionsRepository, log: FastifyBaseLogger): number {
  const interrupted = repo.findInterrupted();
  for (const { session, responses, events } of interrupted) {
    const eventLog = SessionEventLog.fromStored(session.id, events);
    const seen = new Map<string, string>();
    const ended = new Set<string>();
    for (const e of events) {
      const data = JSON.parse(e.data) as { modelId?: string; chunk?: string };
      if (!data.modelId) continue;
      if (e.event === 'model_chunk')
        seen.set(data.modelId, (seen.get(data.modelId) ?? '') + (data.chunk ?? ''));
      else if (e.event === 'model_complete' || e.event === 'model_error') ended.add(data.modelId);
    }
    const timestamp = new Date().toISOString();
    const base = (modelId: string) => ({ sessionId: session.id, modelId });
    const updates: ResponseProgress[] = [];
    const final = responses.map((r) => ({ ...r }));
    for (const r of final) {
      const streamed = seen.get(r.modelId) ?? '';
      if (r.response.length > streamed.length && r.response.startsWith(streamed)) {
        eventLog.append('model_chunk', {
          ...base(r.modelId),
          chunk: r.response.slice(streamed.length),
          timestamp,
        });
      } else if (r.response !== streamed) {
        log.warn({ sessionId: session.id, modelId: r.modelId }, 'stored text and stored chunks disagree');
      }
      if (!TERMINAL.has(r.status)) {
        r.status = 'error';
        r.errorMessage = INTERRUPTED_MODEL;
        updates.push({
          id: r.id,
          appendText: '',
          status: 'error',
          final: {
            inputTokens: r.inputTokens,
            outputTokens: r.outputTokens,
            cachedInputTokens: r.cachedInputTokens,
            cost: r.cost,
            responseTimeMs: r.responseTimeMs,
            errorMessage: INTERRUPTED_MODEL,
          },
        });
      }
      if (ended.has(r.modelId)) continue;
      if (r.status === 'completed') {
        const metrics = {
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          cachedInputTokens: r.cachedInputTokens,
          cost: r.cost,
          responseTimeMs: r.responseTimeMs,
          timeToFirstTokenMs: r.timeToFirstTokenMs,
          tokensPerSecond: tokensPerSecond(r.outputTokens, r.responseTimeMs, r.timeToFirstTokenMs),
        };
        eventLog.append('model_complete', { ...base(r.modelId), metrics, timestamp });
      } else {
        const error = r.status === 'cancelled' ? 'cancelled' : (r.errorMessage ?? INTERRUPTED_MODEL);
        eventLog.append('model_error', { ...base(r.modelId), error, timestamp });
      }
    }
    // Whatever did complete, the comparison as a whole did not: it ends as failed.
    eventLog.append('comparison_error', { sessionId: session.id, error: INTERRUPTED_SESSION, timestamp });
    repo.persist([
      {
        sessionId: session.id,
        events: eventLog.events.slice(events.length).map(({ id, event, data }) => ({ id, event, data })),
        responses: updates,
        final: { status: 'failed', errorMessage: INTERRUPTED_SESSION, finalEventId: eventLog.lastId },
      },
    ]);
  }
  if (interrupted.length > 0)
    log.warn({ sessions: interrupted.length }, 'marked comparisons interrupted by a previous stop as failed');
  return interrupted.length;
}
