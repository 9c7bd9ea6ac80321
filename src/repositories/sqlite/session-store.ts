// The SQLite SessionStore: sessions, their model responses and their event log; every query takes the user.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { comparisonSessions, modelResponses, sessionEventBatches } from '../../db/schema.js';
import { decodeEvents, encodeEvents } from '../event-batches.js';
import { newSessionRow } from '../session-row.js';
import type {
  NewSession,
  ResponseSummary,
  SessionProgress,
  SessionStore,
  StoredEvent,
  StoredResponse,
  StoredSession,
} from '../types.js';
import { type DirectValues, direct } from './direct.js';

const p = sql.placeholder;

/** The columns a model's ending sets, each under the `hasFinal` flag. */
function finalColumns(
  keep: <T>(flag: string, value: string, column: T) => ReturnType<typeof sql>,
): Record<string, ReturnType<typeof sql>> {
  const r = modelResponses;
  return {
    inputTokens: keep('hasFinal', 'inputTokens', r.inputTokens),
    outputTokens: keep('hasFinal', 'outputTokens', r.outputTokens),
    cachedInputTokens: keep('hasFinal', 'cachedInputTokens', r.cachedInputTokens),
    cacheWriteInputTokens: keep('hasFinal', 'cacheWriteInputTokens', r.cacheWriteInputTokens),
    reasoningTokens: keep('hasFinal', 'reasoningTokens', r.reasoningTokens),
    cost: keep('hasFinal', 'cost', r.cost),
    costSource: keep('hasFinal', 'costSource', r.costSource),
    usageSource: keep('hasFinal', 'usageSource', r.usageSource),
    price: keep('hasFinal', 'price', r.price),
    responseTimeMs: keep('hasFinal', 'responseTimeMs', r.responseTimeMs),
    timeToFirstTokenMs: keep('hasFinal', 'ttft', r.timeToFirstTokenMs),
    timeToFirstReasoningMs: keep('hasFinal', 'ttfr', r.timeToFirstReasoningMs),
    finishReason: keep('hasFinal', 'finishReason', r.finishReason),
    errorMessage: keep('hasFinal', 'errorMessage', r.errorMessage),
  };
}

/**
 * The statements of the hot path, prepared once per database: building a query with Drizzle and
 * preparing it in SQLite costs far more than running it (the benchmark found about a quarter of the
 * server's CPU while streaming going to that, with one row per event). Updates have one fixed shape:
 * `case when` flags say which columns a progress write sets.
 */
function prepareStatements(db: Db) {
  // In update sets a placeholder goes in raw SQL, so its value is the driver's (milliseconds, not a Date).
  const raw = (name: string) => sql`${p(name)}`;
  const keep = <T>(flag: string, value: string, column: T) =>
    sql`case when ${p(flag)} then ${p(value)} else ${column} end`;
  return {
    insertSession: direct(
      db,
      db.insert(comparisonSessions).values({
        id: p('id'),
        userId: p('userId'),
        prompt: p('prompt'),
        system: p('system'),
        temperature: p('temperature'),
        maxTokens: p('maxTokens'),
        status: p('status'),
        parentId: p('parentId'),
        rootId: p('rootId'),
        turn: p('turn'),
        blind: p('blind'),
        createdAt: p('now'),
        updatedAt: p('now'),
      }),
    ),
    insertResponse: direct(
      db,
      db.insert(modelResponses).values({
        id: p('id'),
        sessionId: p('sessionId'),
        position: p('position'),
        modelId: p('modelId'),
        provider: p('provider'),
        status: p('status'),
        createdAt: p('now'),
        updatedAt: p('now'),
      }),
    ),
    findSessionForUser: db
      .select()
      .from(comparisonSessions)
      .where(and(eq(comparisonSessions.id, p('id')), eq(comparisonSessions.userId, p('userId'))))
      .prepare(),
    insertEvents: direct(
      db,
      db
        .insert(sessionEventBatches)
        .values({
          sessionId: p('sessionId'),
          firstId: p('firstId'),
          lastId: p('lastId'),
          events: p('events'),
        })
        .onConflictDoNothing(),
    ),
    appendText: direct(
      db,
      db
        .update(modelResponses)
        .set({ response: sql`${modelResponses.response} || ${p('appendText')}`, updatedAt: raw('nowMs') })
        .where(eq(modelResponses.id, p('id'))),
    ),
    appendReasoning: direct(
      db,
      db
        .update(modelResponses)
        .set({
          reasoning: sql`${modelResponses.reasoning} || ${p('appendReasoning')}`,
          updatedAt: raw('nowMs'),
        })
        .where(eq(modelResponses.id, p('id'))),
    ),
    updateResponse: direct(
      db,
      db
        .update(modelResponses)
        .set({
          response: sql`${modelResponses.response} || ${p('appendText')}`,
          reasoning: sql`${modelResponses.reasoning} || ${p('appendReasoning')}`,
          status: keep('hasStatus', 'status', modelResponses.status),
          ...finalColumns(keep),
          updatedAt: raw('nowMs'),
        })
        .where(eq(modelResponses.id, p('id'))),
    ),
    reveal: direct(
      db,
      db
        .update(comparisonSessions)
        .set({
          revealedAt: sql`coalesce(${comparisonSessions.revealedAt}, ${p('atMs')})`,
          updatedAt: raw('atMs'),
        })
        .where(and(eq(comparisonSessions.id, p('id')), eq(comparisonSessions.userId, p('userId')))),
    ),
    touchSession: direct(
      db,
      db
        .update(comparisonSessions)
        .set({ updatedAt: raw('nowMs') })
        .where(eq(comparisonSessions.id, p('sessionId'))),
    ),
    finishSession: db
      .update(comparisonSessions)
      .set({
        status: raw('status'),
        errorMessage: raw('errorMessage'),
        finalEventId: raw('finalEventId'),
        updatedAt: raw('nowMs'),
        completedAt: raw('nowMs'),
      })
      .where(eq(comparisonSessions.id, p('sessionId')))
      .prepare(),
  };
}

/** The SQLite implementation of SessionStore; better-sqlite3 runs each call synchronously, inside its Promise. */
export function createSqliteSessionStore(db: Db): SessionStore {
  const ownSession = (userId: string, id: string) =>
    and(eq(comparisonSessions.id, id), eq(comparisonSessions.userId, userId));
  const statements = prepareStatements(db);
  /**
   * One commit per comparison on its set-up path: a native transaction made once, around direct
   * statements (Drizzle's transaction wrapper and its value mapping cost more than the two inserts).
   */
  const insertSession = db.$client.transaction(
    (row: DirectValues & { id: string; now: number }, responses: NewSession['responses']) => {
      statements.insertSession.run(row);
      responses.forEach((r, position) => {
        statements.insertResponse.run({
          ...r,
          sessionId: row.id,
          position: r.position ?? position,
          status: 'pending',
          now: row.now,
        });
      });
    },
  );

  /** The new session as stored; every column is known here, so nothing is read back. */
  function createSync(session: NewSession): StoredSession {
    const now = new Date();
    const row = newSessionRow(session, now);
    insertSession(
      {
        id: row.id,
        userId: row.userId,
        prompt: row.prompt,
        system: row.system,
        temperature: row.temperature,
        maxTokens: row.maxTokens,
        status: row.status,
        parentId: row.parentId,
        rootId: row.rootId,
        turn: row.turn,
        blind: row.blind ? 1 : 0,
        now: now.getTime(),
      },
      session.responses,
    );
    return row;
  }

  const responsesOf = (sessionId: string): StoredResponse[] =>
    db
      .select()
      .from(modelResponses)
      .where(eq(modelResponses.sessionId, sessionId))
      .orderBy(asc(modelResponses.position))
      .all();

  /** The stored events with an id above `afterId`, in order. */
  const eventsAfter = (sessionId: string, afterId: number): StoredEvent[] =>
    db
      .select()
      .from(sessionEventBatches)
      .where(and(eq(sessionEventBatches.sessionId, sessionId), gt(sessionEventBatches.lastId, afterId)))
      .orderBy(asc(sessionEventBatches.firstId))
      .all()
      .flatMap(decodeEvents)
      .filter((e) => e.id > afterId);

  function persist(batch: SessionProgress[]): void {
    if (batch.length === 0) return;
    const nowMs = Date.now();
    db.transaction(() => {
      for (const progress of batch) {
        const { sessionId } = progress;
        if (progress.events.length > 0)
          statements.insertEvents.run({ sessionId, ...encodeEvents(progress.events) });
        for (const r of progress.responses) {
          if (r.status === undefined && r.final === undefined) {
            if (r.appendText) statements.appendText.run({ id: r.id, appendText: r.appendText, nowMs });
            if (r.appendReasoning)
              statements.appendReasoning.run({ id: r.id, appendReasoning: r.appendReasoning, nowMs });
            continue;
          }
          const f = r.final;
          statements.updateResponse.run({
            id: r.id,
            appendText: r.appendText,
            appendReasoning: r.appendReasoning,
            hasStatus: r.status === undefined ? 0 : 1,
            status: r.status ?? null,
            hasFinal: f ? 1 : 0,
            inputTokens: f?.inputTokens ?? null,
            outputTokens: f?.outputTokens ?? null,
            cachedInputTokens: f?.cachedInputTokens ?? null,
            cacheWriteInputTokens: f?.cacheWriteInputTokens ?? null,
            reasoningTokens: f?.reasoningTokens ?? null,
            cost: f?.cost ?? null,
            costSource: f?.costSource ?? null,
            usageSource: f?.usageSource ?? null,
            price: f?.price ? JSON.stringify(f.price) : null,
            responseTimeMs: f?.responseTimeMs ?? null,
            ttft: f?.timeToFirstTokenMs ?? null,
            ttfr: f?.timeToFirstReasoningMs ?? null,
            finishReason: f?.finishReason ?? null,
            errorMessage: f?.errorMessage ?? null,
            nowMs,
          });
        }
        if (progress.final) statements.finishSession.run({ sessionId, ...progress.final, nowMs });
        else statements.touchSession.run({ sessionId, nowMs });
      }
    });
  }

  return {
    async create(session: NewSession): Promise<StoredSession> {
      return createSync(session);
    },

    createSync,

    async findSessionForUser(userId: string, id: string) {
      return statements.findSessionForUser.get({ userId, id });
    },

    async findForUser(userId: string, id: string) {
      const session = db.select().from(comparisonSessions).where(ownSession(userId, id)).get();
      if (!session) return undefined;
      return { session, responses: responsesOf(id) };
    },

    async listForUser(userId: string, limit: number, offset: number) {
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
      const { response: _text, reasoning: _reasoning, ...summaryColumns } = getTableColumns(modelResponses);
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

    async thread(userId: string, rootId: string) {
      return db
        .select()
        .from(comparisonSessions)
        .where(
          and(
            eq(comparisonSessions.userId, userId),
            or(eq(comparisonSessions.id, rootId), eq(comparisonSessions.rootId, rootId)),
          ),
        )
        .orderBy(asc(comparisonSessions.turn), asc(comparisonSessions.createdAt))
        .all();
    },

    /** Writes the progress of many sessions in one transaction: the batched, off-hot-path writer. */
    async persist(batch: SessionProgress[]) {
      persist(batch);
    },

    async eventsAfter(sessionId: string, afterId: number) {
      return eventsAfter(sessionId, afterId);
    },

    async reveal(userId: string, id: string, at: Date) {
      return statements.reveal.run({ id, userId, atMs: at.getTime() }).changes > 0;
    },

    async findInterrupted() {
      const sessions = db
        .select()
        .from(comparisonSessions)
        .where(inArray(comparisonSessions.status, ['pending', 'in_progress']))
        .all();
      return sessions.map((session) => ({
        session,
        responses: responsesOf(session.id),
        events: eventsAfter(session.id, 0),
      }));
    },

    async findUnfinished(id) {
      const session = db
        .select()
        .from(comparisonSessions)
        .where(
          and(eq(comparisonSessions.id, id), inArray(comparisonSessions.status, ['pending', 'in_progress'])),
        )
        .get();
      if (!session) return undefined;
      return { session, responses: responsesOf(session.id), events: eventsAfter(session.id, 0) };
    },
  };
}
