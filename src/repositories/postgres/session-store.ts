// The Postgres SessionStore: sessions, their model responses and their event log; every query takes the user.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { PgDb } from '../../db/pg-client.js';
import { comparisonSessions, modelResponses, sessionEventBatches } from '../../db/pg-schema.js';
import type { SessionLocks } from '../../db/pg-session-locks.js';
import { decodeEvents, encodeEvents } from '../event-batches.js';
import { newSessionRow } from '../session-row.js';
import type {
  NewSession,
  ResponseProgress,
  ResponseSummary,
  SessionProgress,
  SessionStore,
  StoredEvent,
  StoredResponse,
  StoredSession,
} from '../types.js';
import { pgText, pgTextOrNull } from './text.js';

type Tx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

// `seq` is Postgres' stand-in for SQLite's rowid: an ordering key, not part of a StoredSession.
const { seq: _seq, ...sessionColumns } = getTableColumns(comparisonSessions);
const { response: _text, reasoning: _reasoning, ...summaryColumns } = getTableColumns(modelResponses);

/** One array parameter (node-postgres sends a JS array as a Postgres array), cast to `type`. */
const array = (values: unknown[], type: string) => sql`${sql.param(values)}::${sql.raw(type)}`;

/** Whole milliseconds for an integer column (SQLite would keep a fraction; Postgres refuses it). */
const wholeMs = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.round(ms));

/**
 * Splits items into rounds in which no key repeats: one `update ... from unnest(...)` sets a row at
 * most once, so a response (or session) named twice in a batch gets a second round, in order.
 */
function rounds<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const result: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    const round = seen.get(k) ?? 0;
    seen.set(k, round + 1);
    const items = result[round];
    if (items) items.push(item);
    else result.push([item]);
  }
  return result;
}

/** Appends text, sets a status, then the final figures, each only when given: one statement per round. */
function updateResponses(tx: Tx, responses: ResponseProgress[], now: string) {
  const col = (pick: (r: ResponseProgress) => unknown, type: string) => array(responses.map(pick), type);
  const f = (pick: (final: NonNullable<ResponseProgress['final']>) => unknown) => (r: ResponseProgress) =>
    r.final ? pick(r.final) : null;
  return tx.execute(sql`
    update model_responses as r set
      response = r.response || v.append_text,
      reasoning = r.reasoning || v.append_reasoning,
      status = case when v.has_status then v.status else r.status end,
      input_tokens = case when v.has_final then v.input_tokens else r.input_tokens end,
      output_tokens = case when v.has_final then v.output_tokens else r.output_tokens end,
      cached_input_tokens = case when v.has_final then v.cached_input_tokens else r.cached_input_tokens end,
      cache_write_input_tokens = case when v.has_final then v.cache_write_input_tokens else r.cache_write_input_tokens end,
      reasoning_tokens = case when v.has_final then v.reasoning_tokens else r.reasoning_tokens end,
      cost = case when v.has_final then v.cost else r.cost end,
      cost_source = case when v.has_final then v.cost_source else r.cost_source end,
      usage_source = case when v.has_final then v.usage_source else r.usage_source end,
      price = case when v.has_final then v.price else r.price end,
      response_time_ms = case when v.has_final then v.response_time_ms else r.response_time_ms end,
      time_to_first_token_ms = case when v.has_final then v.ttft else r.time_to_first_token_ms end,
      time_to_first_reasoning_ms = case when v.has_final then v.ttfr else r.time_to_first_reasoning_ms end,
      finish_reason = case when v.has_final then v.finish_reason else r.finish_reason end,
      error_message = case when v.has_final then v.error_message else r.error_message end,
      updated_at = ${now}::timestamptz
    from unnest(
      ${col((r) => r.id, 'text[]')}, ${col((r) => pgText(r.appendText), 'text[]')},
      ${col((r) => pgText(r.appendReasoning), 'text[]')}, ${col((r) => r.status !== undefined, 'bool[]')},
      ${col((r) => r.status ?? null, 'text[]')}, ${col((r) => r.final !== undefined, 'bool[]')},
      ${col(
        f((x) => x.inputTokens),
        'int[]',
      )}, ${col(
        f((x) => x.outputTokens),
        'int[]',
      )},
      ${col(
        f((x) => x.cachedInputTokens),
        'int[]',
      )}, ${col(
        f((x) => x.cacheWriteInputTokens),
        'int[]',
      )},
      ${col(
        f((x) => x.reasoningTokens),
        'int[]',
      )}, ${col(
        f((x) => x.cost),
        'float8[]',
      )},
      ${col(
        f((x) => x.costSource),
        'text[]',
      )}, ${col(
        f((x) => x.usageSource),
        'text[]',
      )},
      ${col(
        f((x) => (x.price ? JSON.stringify(x.price) : null)),
        'jsonb[]',
      )},
      ${col(
        f((x) => wholeMs(x.responseTimeMs)),
        'int[]',
      )}, ${col(
        f((x) => wholeMs(x.timeToFirstTokenMs)),
        'int[]',
      )},
      ${col(
        f((x) => wholeMs(x.timeToFirstReasoningMs)),
        'int[]',
      )}, ${col(
        f((x) => x.finishReason),
        'text[]',
      )},
      ${col(
        f((x) => pgTextOrNull(x.errorMessage)),
        'text[]',
      )}
    ) as v(id, append_text, append_reasoning, has_status, status, has_final, input_tokens, output_tokens,
      cached_input_tokens, cache_write_input_tokens, reasoning_tokens, cost, cost_source, usage_source, price,
      response_time_ms, ttft, ttfr, finish_reason, error_message)
    where r.id = v.id`);
}

/** Touches every session of the batch, and ends those whose progress carries their end: one statement per round. */
function updateSessions(tx: Tx, batch: SessionProgress[], now: string) {
  const col = (pick: (p: SessionProgress) => unknown, type: string) => array(batch.map(pick), type);
  return tx.execute(sql`
    update comparison_sessions as s set
      status = case when v.has_final then v.status else s.status end,
      error_message = case when v.has_final then v.error_message else s.error_message end,
      final_event_id = case when v.has_final then v.final_event_id else s.final_event_id end,
      completed_at = case when v.has_final then ${now}::timestamptz else s.completed_at end,
      updated_at = ${now}::timestamptz
    from unnest(
      ${col((p) => p.sessionId, 'text[]')}, ${col((p) => p.final !== undefined, 'bool[]')},
      ${col((p) => p.final?.status ?? null, 'text[]')}, ${col((p) => pgTextOrNull(p.final?.errorMessage), 'text[]')},
      ${col((p) => p.final?.finalEventId ?? null, 'int[]')}
    ) as v(id, has_final, status, error_message, final_event_id)
    where s.id = v.id`);
}

/**
 * The Postgres implementation of SessionStore: each call is one query or one transaction on the pool.
 * With `locks` (as the app wires it) a session is claimed by the instance that creates it until it
 * ends, and findInterrupted takes only sessions no live instance holds; without, it takes every
 * running session, as SQLite's does.
 */
export function createPostgresSessionStore(db: PgDb, locks?: SessionLocks): SessionStore {
  const ownSession = (userId: string, id: string): SQL | undefined =>
    and(eq(comparisonSessions.id, id), eq(comparisonSessions.userId, userId));

  const responsesOf = (sessionIds: string[]): Promise<StoredResponse[]> =>
    db
      .select()
      .from(modelResponses)
      .where(inArray(modelResponses.sessionId, sessionIds))
      .orderBy(asc(modelResponses.position));

  /** The stored events of these sessions with an id above `afterId`, in order per session. */
  async function eventsOf(sessionIds: string[], afterId: number): Promise<Map<string, StoredEvent[]>> {
    const rows = await db
      .select()
      .from(sessionEventBatches)
      .where(and(inArray(sessionEventBatches.sessionId, sessionIds), gt(sessionEventBatches.lastId, afterId)))
      .orderBy(asc(sessionEventBatches.sessionId), asc(sessionEventBatches.firstId));
    const bySession = new Map<string, StoredEvent[]>();
    for (const row of rows) {
      const events = bySession.get(row.sessionId) ?? [];
      for (const e of decodeEvents(row)) if (e.id > afterId) events.push(e);
      bySession.set(row.sessionId, events);
    }
    return bySession;
  }

  return {
    /** The new session as stored; every column is known here, so nothing is read back. */
    async create(session: NewSession): Promise<StoredSession> {
      const now = new Date();
      const base = newSessionRow(session, now);
      const row: StoredSession = { ...base, prompt: pgText(base.prompt), system: pgTextOrNull(base.system) };
      // Claimed before it is stored: no other instance's recovery may ever see it running unclaimed.
      await locks?.claim(session.id);
      await db
        .transaction(async (tx) => {
          await tx.insert(comparisonSessions).values(row);
          if (session.responses.length === 0) return;
          await tx.insert(modelResponses).values(
            session.responses.map((r, position) => ({
              id: r.id,
              sessionId: session.id,
              position: r.position ?? position,
              modelId: r.modelId,
              provider: r.provider,
              status: 'pending' as const,
              createdAt: now,
              updatedAt: now,
            })),
          );
        })
        .catch(async (err: unknown) => {
          await locks?.release(session.id);
          throw err;
        });
      return row;
    },

    async findSessionForUser(userId: string, id: string) {
      const [session] = await db
        .select(sessionColumns)
        .from(comparisonSessions)
        .where(ownSession(userId, id));
      return session;
    },

    async findForUser(userId: string, id: string) {
      const [session] = await db
        .select(sessionColumns)
        .from(comparisonSessions)
        .where(ownSession(userId, id));
      if (!session) return undefined;
      return { session, responses: await responsesOf([id]) };
    },

    async listForUser(userId: string, limit: number, offset: number) {
      const mine = eq(comparisonSessions.userId, userId);
      const [counted] = await db.select({ n: count() }).from(comparisonSessions).where(mine);
      // seq breaks ties between sessions created in the same millisecond, in insertion order.
      const sessions = await db
        .select(sessionColumns)
        .from(comparisonSessions)
        .where(mine)
        .orderBy(desc(comparisonSessions.createdAt), desc(comparisonSessions.seq))
        .limit(limit)
        .offset(offset);
      const responses: ResponseSummary[] =
        sessions.length === 0
          ? []
          : await db
              .select(summaryColumns)
              .from(modelResponses)
              .where(
                inArray(
                  modelResponses.sessionId,
                  sessions.map((s) => s.id),
                ),
              )
              .orderBy(asc(modelResponses.position));
      return { total: counted?.n ?? 0, sessions, responses };
    },

    async thread(userId: string, rootId: string) {
      return db
        .select(sessionColumns)
        .from(comparisonSessions)
        .where(
          and(
            eq(comparisonSessions.userId, userId),
            or(eq(comparisonSessions.id, rootId), eq(comparisonSessions.rootId, rootId)),
          ),
        )
        .orderBy(asc(comparisonSessions.turn), asc(comparisonSessions.createdAt));
    },

    /**
     * Many sessions' progress in one transaction of a few statements, whatever the batch holds: one
     * multi-row insert of event rows, one `update ... from unnest(...)` for the responses and one for
     * the sessions (a second round only for an id named twice).
     */
    async persist(batch: SessionProgress[]) {
      if (batch.length === 0) return;
      // Encoded first: a batch with a gap in its ids throws before anything is written.
      const eventRows = batch.flatMap((p) =>
        p.events.length === 0 ? [] : [{ sessionId: p.sessionId, ...encodeEvents(p.events) }],
      );
      const responses = batch.flatMap((p) =>
        p.responses.filter(
          (r) => r.status !== undefined || r.final !== undefined || r.appendText || r.appendReasoning,
        ),
      );
      const now = new Date().toISOString();
      await db.transaction(async (tx) => {
        // An event row already stored (a retried write) is kept as it was.
        if (eventRows.length > 0)
          await tx.insert(sessionEventBatches).values(eventRows).onConflictDoNothing();
        for (const round of rounds(responses, (r) => r.id)) await updateResponses(tx, round, now);
        for (const round of rounds(batch, (p) => p.sessionId)) await updateSessions(tx, round, now);
      });
      if (locks) for (const p of batch) if (p.final) await locks.release(p.sessionId);
    },

    async eventsAfter(sessionId: string, afterId: number) {
      return (await eventsOf([sessionId], afterId)).get(sessionId) ?? [];
    },

    async reveal(userId: string, id: string, at: Date) {
      const result = await db
        .update(comparisonSessions)
        .set({
          revealedAt: sql`coalesce(${comparisonSessions.revealedAt}, ${at.toISOString()}::timestamptz)`,
          updatedAt: at,
        })
        .where(ownSession(userId, id));
      return (result.rowCount ?? 0) > 0;
    },

    /**
     * Three queries however many sessions were left running: the sessions, their responses, their
     * events. With locks: never this instance's own, nor those another live instance holds; the ones
     * returned are claimed here until their end is written.
     */
    async findInterrupted() {
      const running = await db
        .select(sessionColumns)
        .from(comparisonSessions)
        .where(inArray(comparisonSessions.status, ['pending', 'in_progress']))
        .orderBy(asc(comparisonSessions.seq));
      const sessions: typeof running = [];
      for (const session of running)
        if (!locks || (!locks.holds(session.id) && (await locks.claim(session.id)))) sessions.push(session);
      if (sessions.length === 0) return [];
      const ids = sessions.map((s) => s.id);
      const [responses, events] = await Promise.all([responsesOf(ids), eventsOf(ids, 0)]);
      return sessions.map((session) => ({
        session,
        responses: responses.filter((r) => r.sessionId === session.id),
        events: events.get(session.id) ?? [],
      }));
    },

    /** One running session by id, whoever runs it (a failover takes it once the owner's lease lapsed). */
    async findUnfinished(id: string) {
      const [session] = await db
        .select(sessionColumns)
        .from(comparisonSessions)
        .where(
          and(eq(comparisonSessions.id, id), inArray(comparisonSessions.status, ['pending', 'in_progress'])),
        );
      if (!session) return undefined;
      const [responses, events] = await Promise.all([responsesOf([id]), eventsOf([id], 0)]);
      return { session, responses, events: events.get(id) ?? [] };
    },
  };
}
