// Comparison sessions, their model responses and their event log in SQLite; every query takes the user.
import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  gt,
  inArray,
  is,
  Param,
  Placeholder,
  sql,
} from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  type ComparisonSession,
  comparisonSessions,
  type ModelResponse,
  modelResponses,
  type ResponseStatus,
  type SessionStatus,
  sessionEventBatches,
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

export interface StoredEvent {
  id: number;
  event: string;
  /** JSON text: never a raw newline in it. */
  data: string;
}

/** Everything one session has to write since its last write; many of them go in one transaction. */
export interface SessionProgress {
  sessionId: string;
  /** The events since the last write, ids one after another: stored as one row. */
  events: readonly StoredEvent[];
  responses: ResponseProgress[];
  final?: { status: SessionStatus; errorMessage: string | null; finalEventId: number };
}

export type ResponseSummary = Omit<ModelResponse, 'response'>;

const p = sql.placeholder;

/**
 * A statement built by Drizzle (so its SQL follows the schema) but run by better-sqlite3 itself:
 * Drizzle's per-run work (filling placeholders, mapping values) is most of the cost of a one-row
 * statement, and these run once per streamed event. Values go to the driver as they are: strings,
 * numbers, null.
 */
function direct(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql: text, params } = query.toSQL();
  const names = params.map((param) => {
    const value = is(param, Param) ? param.value : param;
    if (!is(value, Placeholder)) throw new Error(`a direct statement takes placeholders only: ${text}`);
    return value.name;
  });
  const statement = db.$client.prepare(text);
  return {
    run: (values: Record<string, string | number | null>) =>
      statement.run(...names.map((n) => values[n] ?? null)),
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
    insertSession: db
      .insert(comparisonSessions)
      .values({
        id: p('id'),
        userId: p('userId'),
        prompt: p('prompt'),
        system: p('system'),
        temperature: p('temperature'),
        maxTokens: p('maxTokens'),
        status: p('status'),
        createdAt: p('now'),
        updatedAt: p('now'),
      })
      .prepare(),
    insertResponse: db
      .insert(modelResponses)
      .values({
        id: p('id'),
        sessionId: p('sessionId'),
        position: p('position'),
        modelId: p('modelId'),
        provider: p('provider'),
        status: 'pending',
        createdAt: p('now'),
        updatedAt: p('now'),
      })
      .prepare(),
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
    updateResponse: db
      .update(modelResponses)
      .set({
        response: sql`${modelResponses.response} || ${p('appendText')}`,
        status: keep('hasStatus', 'status', modelResponses.status),
        timeToFirstTokenMs: keep('hasTtft', 'ttft', modelResponses.timeToFirstTokenMs),
        inputTokens: keep('hasFinal', 'inputTokens', modelResponses.inputTokens),
        outputTokens: keep('hasFinal', 'outputTokens', modelResponses.outputTokens),
        cachedInputTokens: keep('hasFinal', 'cachedInputTokens', modelResponses.cachedInputTokens),
        cost: keep('hasFinal', 'cost', modelResponses.cost),
        responseTimeMs: keep('hasFinal', 'responseTimeMs', modelResponses.responseTimeMs),
        errorMessage: keep('hasFinal', 'errorMessage', modelResponses.errorMessage),
        updatedAt: raw('nowMs'),
      })
      .where(eq(modelResponses.id, p('id')))
      .prepare(),
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

/** A write's events as one row: their ids run from firstId to lastId, one line per event. */
export function encodeEvents(events: readonly StoredEvent[]) {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last || last.id - first.id + 1 !== events.length)
    throw new Error(
      `a batch of events must have consecutive ids (${first?.id}..${last?.id}, ${events.length})`,
    );
  let text = '';
  for (const e of events) text += text.length === 0 ? `${e.event} ${e.data}` : `\n${e.event} ${e.data}`;
  return { firstId: first.id, lastId: last.id, events: text };
}

/** The events of one stored row, with their ids. A row of one event is taken whole, whatever it holds. */
export function decodeEvents(row: { firstId: number; lastId: number; events: string }): StoredEvent[] {
  const lines = row.firstId === row.lastId ? [row.events] : row.events.split('\n');
  return lines.map((line, i) => {
    const space = line.indexOf(' ');
    return { id: row.firstId + i, event: line.slice(0, space), data: line.slice(space + 1) };
  });
}

export function createSessionsRepository(db: Db) {
  const ownSession = (userId: string, id: string) =>
    and(eq(comparisonSessions.id, id), eq(comparisonSessions.userId, userId));
  const statements = prepareStatements(db);

  const responsesOf = (sessionId: string) =>
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

  return {
    /** The new session as stored; every column is known here, so nothing is read back. */
    create(session: NewSession): ComparisonSession {
      const now = new Date();
      const row: ComparisonSession = {
        id: session.id,
        userId: session.userId,
        prompt: session.prompt,
        system: session.system ?? null,
        temperature: session.temperature ?? null,
        maxTokens: session.maxTokens ?? null,
        status: 'in_progress',
        errorMessage: null,
        finalEventId: null,
        createdAt: now,
        updatedAt: now,
        completedAt: null,
      };
      db.transaction(() => {
        statements.insertSession.run({ ...row, now });
        session.responses.forEach((r, position) => {
          statements.insertResponse.run({ ...r, sessionId: session.id, position, now });
        });
      });
      return row;
    },

    findSessionForUser(userId: string, id: string): ComparisonSession | undefined {
      return statements.findSessionForUser.get({ userId, id });
    },

    findForUser(userId: string, id: string) {
      const session = db.select().from(comparisonSessions).where(ownSession(userId, id)).get();
      if (!session) return undefined;
      return { session, responses: responsesOf(id) };
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
      const nowMs = Date.now();
      db.transaction(() => {
        for (const progress of batch) {
          const { sessionId } = progress;
          if (progress.events.length > 0)
            statements.insertEvents.run({ sessionId, ...encodeEvents(progress.events) });
          for (const r of progress.responses) {
            if (r.status === undefined && r.timeToFirstTokenMs === undefined && r.final === undefined) {
              statements.appendText.run({ id: r.id, appendText: r.appendText, nowMs });
              continue;
            }
            const f = r.final;
            statements.updateResponse.run({
              id: r.id,
              appendText: r.appendText,
              hasStatus: r.status === undefined ? 0 : 1,
              status: r.status ?? null,
              hasTtft: r.timeToFirstTokenMs === undefined ? 0 : 1,
              ttft: r.timeToFirstTokenMs ?? null,
              hasFinal: f ? 1 : 0,
              inputTokens: f?.inputTokens ?? null,
              outputTokens: f?.outputTokens ?? null,
              cachedInputTokens: f?.cachedInputTokens ?? null,
              cost: f?.cost ?? null,
              responseTimeMs: f?.responseTimeMs ?? null,
              errorMessage: f?.errorMessage ?? null,
              nowMs,
            });
          }
          if (progress.final) statements.finishSession.run({ sessionId, ...progress.final, nowMs });
          else statements.touchSession.run({ sessionId, nowMs });
        }
      });
    },

    eventsAfter,

    /** Sessions a process left running when it died: it can no longer finish them. */
    findInterrupted() {
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
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
