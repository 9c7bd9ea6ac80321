// Blind sessions: models named by slot until the reveal, in the stream's view and in every read.
import { randomInt } from 'node:crypto';
import type { StoredResponse, StoredSession } from '../repositories/types.js';
import { type EventView, type LoggedEvent, sseFrame } from './event-views.js';

/** A blind session's slot letter for a position: 0 is A. */
export const slotOf = (position: number) => String.fromCharCode(65 + position);

/** Until it is revealed, a blind session's user sees slots only. */
export const isHidden = (session: Pick<StoredSession, 'blind' | 'revealedAt'>) =>
  session.blind && session.revealedAt === null;

/** A uniform shuffle (Fisher-Yates) from the crypto generator: the slot order must not be guessable. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Two different items drawn at random. */
export const drawTwo = <T>(items: readonly T[]): T[] => shuffled(items).slice(0, 2);

/** What a failure says in a blind session: never the vendor's words, which may name it. */
export const blindError = (slot: string, error: string) =>
  error === 'cancelled' ? error : `Model ${slot} failed to answer`;

/**
 * The stream of a blind session before its reveal: model ids become slots; no metrics (cost,
 * price, tokens, timings); failures in words of our own. Built once per event for this session's
 * readers (the log caches it under the view's key).
 */
export function blindView(
  sessionId: string,
  responses: readonly Pick<StoredResponse, 'modelId' | 'position'>[],
): EventView {
  const slots = new Map(responses.map((r) => [r.modelId, slotOf(r.position)]));
  const slot = (modelId: string) => slots.get(modelId) ?? '?';
  return {
    key: `blind:${sessionId}`,
    frame({ id, event: e }: LoggedEvent) {
      const data = (() => {
        switch (e.type) {
          case 'model_chunk':
          case 'model_reasoning':
            return { sessionId, modelId: slot(e.modelId), chunk: e.chunk, timestamp: e.timestamp };
          case 'model_complete':
            return { sessionId, modelId: slot(e.modelId), metrics: null, timestamp: e.timestamp };
          case 'model_error':
            return {
              sessionId,
              modelId: slot(e.modelId),
              error: blindError(slot(e.modelId), e.error),
              timestamp: e.timestamp,
            };
          case 'comparison_complete':
            return { sessionId, metrics: null, timestamp: e.timestamp };
          case 'comparison_error':
            return { sessionId, error: e.error, timestamp: e.timestamp };
        }
      })();
      return sseFrame(id, e.type, JSON.stringify(data));
    },
  };
}
