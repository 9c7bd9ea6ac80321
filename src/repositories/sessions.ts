// Comparison sessions, their model responses and their event log in SQLite; every query takes the user.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  type ComparisonSession,
  comparisonSessions,
  type ModelResponse,
  modelResponses,
  type ResponseStatus,
  type SessionStatus,
  sessionEvents,
} from '../db/schema.js';

export interface NewSession {
  id: string;
  userId: string;
  prompt: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  responses: { id: string; modelId: string; provider: string }[];
}

export interface ResponseProgress {
  id: string;
  /** Text streamed since the last write, appended to the stored response. */
  appendText: string;
  status?: ResponseStatus;
  timeToFirstTokenMs?: number | null;
  final?: {
    inputTokens: number;
    outputTokens: number;
    cachedInputTokens: number;
    cost: number;
    responseTimeMs: number | null;
    errorMessage: string | null;
  };
}

/** Everything one session has to write since its last write; many of them go in one transaction. */
export interface SessionProgress {
  sessionId: string;
  events: { id: number; event: string; data: string }[];
  responses: ResponseProgress[];
  final?: { status: SessionStatus; errorMessage: string | null; finalEventId: number };
}

export type ResponseSummary = Omit<ModelResponse, 'response'>;

/** Rows per insert statement: far below SQLite's limit on bound variables. */
const EVENT_ROWS_PER_INSERT = 500;

export function createSessionsRepository(db: Db) {
  const ownSession = (userId: string, id: string) =>
    and(eq(comparisonSessions.id, id), eq(comparisonSessions.userId, userId));

  return {
    create(session: NewSession): ComparisonSession {
      const now = new Date();
      return db.transaction((tx) => {
        const row = tx
          .insert(comparisonSessions)
          .values({
            id: session.id,
            userId: session.userId,
            prompt: session.prompt,
            system: session.system ?? null,
            temperature: session.temperature ?? null,
            maxTokens: session.maxTokens ?? null,
            status: 'in_progress',
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        tx.insert(modelResponses)
          .values(
            session.responses.map((r, position) => ({
              ...r,
              sessionId: session.id,
              position,
              status: 'pending' as const,
              createdAt: now,
              updatedAt: now,
            })),
          )
          .run();
        return row;
      });
    },

    findSessionForUser(userId: string, id: string): ComparisonSession | undefined {
      return db.select().from(comparisonSessions).where(ownSession(userId, id)).get();
    },

    findForUser(userId: string, id: string) {
      const session = db.select().from(comparisonSessions).where(ownSession(userId, id)).get();
      if (!session) return undefined;
      const responses = db
        .select()
        .from(modelResponses)
        .where(eq(modelResponses.sessionId, id))
        .orderBy(asc(modelResponses.position))
        .all();
      return { session, responses };
    },

    /** The user's sessions, newest first, with their responses minus the text (the list stays light). */
    listForUser(userId: string, limit: number, offset: number) {
      const total =
        db.select({ n: count() }).from(comparisonSessions).where(eq(comparisonSessions.userId, userId)).get()
          ?.n ?? 0;
      // rowid breaks ties between sessions created in the same millisecond, in insertion order.
      const sessions = db
        .select()
        .from(comparisonSessions)
        .where(eq(comparisonSessions.userId, userId))
        .orderBy(desc(comparisonSessions.createdAt), desc(sql`${comparisonSessions}.rowid`))
        .limit(limit)
        .offset(offset)
        .all();
      const { response: _text, ...summaryColumns } = getTableColumns(modelResponses);
      const responses: ResponseSummary[] =
        sessions.length === 0
          ? []
          : db
              .select(summaryColumns)
              .from(modelResponses)
              .where(
                inArray(
                  modelResponses.sessionId,
                  sessions.map((s) => s.id),
                ),
              )
              .orderBy(asc(modelResponses.position))
              .all();
      return { total, sessions, responses };
    },

    /** Writes the progress of many sessions in one transaction: the batched, off-hot-path writer. */
    persist(batch: SessionProgress[]): void {
      if (batch.length === 0) return;
      const now = new Date();
      db.transaction((tx) => {
        for (const progress of batch) {
          for (let i = 0; i < progress.events.length; i += EVENT_ROWS_PER_INSERT) {
            const rows = progress.events.slice(i, i + EVENT_ROWS_PER_INSERT);
            tx.insert(sessionEvents)
              .values(rows.map((e) => ({ sessionId: progress.sessionId, ...e })))
              .onConflictDoNothing()
              .run();
          }
          for (const r of progress.responses) {
            tx.update(modelResponses)
              .set({
                response: sql`${modelResponses.response} || ${r.appendText}`,
                ...(r.status ? { status: r.status } : {}),
                ...(r.timeToFirstTokenMs !== undefined ? { timeToFirstTokenMs: r.timeToFirstTokenMs } : {}),
                ...(r.final ?? {}),
                updatedAt: now,
              })
              .where(eq(modelResponses.id, r.id))
              .run();
          }
          tx.update(comparisonSessions)
            .set(
              progress.final ? { ...progress.final, updatedAt: now, completedAt: now } : { updatedAt: now },
            )
            .where(eq(comparisonSessions.id, progress.sessionId))
            .run();
        }
      });
    },

    eventsAfter(sessionId: string, afterId: number) {
      return db
        .select({ id: sessionEvents.id, event: sessionEvents.event, data: sessionEvents.data })
        .from(sessionEvents)
        .where(and(eq(sessionEvents.sessionId, sessionId), gt(sessionEvents.id, afterId)))
        .orderBy(asc(sessionEvents.id))
        .all();
    },

    /** Sessions a process left running when it died: it can no longer finish them. */
    findInterrupted() {
      const sessions = db
        .select()
        .from(comparisonSessions)
        .where(inArray(comparisonSessions.status, ['pending', 'in_progress']))
        .all();
      return sessions.map((session) => ({
        session,
        responses: db
          .select()
          .from(modelResponses)
          .where(eq(modelResponses.sessionId, session.id))
          .orderBy(asc(modelResponses.position))
          .all(),
        events: db
          .select({ id: sessionEvents.id, event: sessionEvents.event, data: sessionEvents.data })
          .from(sessionEvents)
          .where(eq(sessionEvents.sessionId, session.id))
          .orderBy(asc(sessionEvents.id))
          .all(),
      }));
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
