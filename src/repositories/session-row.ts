// A new session as every engine stores it: in progress, nothing ended yet, its turn and blindness.
import type { NewSession, StoredSession } from './types.js';

export function newSessionRow(session: NewSession, now: Date): StoredSession {
  return {
    id: session.id,
    userId: session.userId,
    prompt: session.prompt,
    system: session.system ?? null,
    temperature: session.temperature ?? null,
    maxTokens: session.maxTokens ?? null,
    status: 'in_progress',
    errorMessage: null,
    finalEventId: null,
    parentId: session.parentId ?? null,
    rootId: session.rootId ?? null,
    turn: session.turn ?? 1,
    blind: session.blind ?? false,
    revealedAt: null,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
  };
}
