// Drizzle schema: users, comparison sessions, their model responses and their stream event log.
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);
const updatedAt = () =>
  integer('updated_at', { mode: 'timestamp_ms' })
    .notNull()
    .default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const sessionStatuses = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];
export const responseStatuses = ['pending', 'streaming', 'completed', 'error', 'cancelled'] as const;
export type ResponseStatus = (typeof responseStatuses)[number];
export const finishReasons = ['stop', 'length', 'content_filter', 'other'] as const;
export const costSources = ['provider', 'computed', 'estimated', 'free', 'unknown'] as const;
export type CostSource = (typeof costSources)[number];
export const usageSources = ['provider', 'estimated', 'none'] as const;
export type UsageSource = (typeof usageSources)[number];

/** The prices a response's cost was computed with, kept with it. */
export interface PriceSnapshot {
  inputPerMillion: number;
  outputPerMillion: number;
  cachedInputPerMillion: number | null;
  cacheWriteInputPerMillion: number | null;
  source: string;
  asOf: string | null;
}

/** A user is the token's `sub`, stored on first sight and kept up to date. */
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email'),
  name: text('name'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const comparisonSessions = sqliteTable(
  'comparison_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    prompt: text('prompt').notNull(),
    system: text('system'),
    temperature: real('temperature'),
    maxTokens: integer('max_tokens'),
    status: text('status', { enum: sessionStatuses }).notNull().default('pending'),
    errorMessage: text('error_message'),
    /** Id of the final stream event once the session has ended; a reconnect past it gets 204. */
    finalEventId: integer('final_event_id'),
    /** The session this one follows in a conversation (POST /comparison/:id/continue), and its turn (1, 2, ...). */
    parentId: text('parent_id'),
    /** The first session of the conversation (null for a first session itself): a thread is one query. */
    rootId: text('root_id'),
    turn: integer('turn').notNull().default(1),
    /** A blind session names its models by slot until it is revealed. */
    blind: integer('blind', { mode: 'boolean' }).notNull().default(false),
    revealedAt: integer('revealed_at', { mode: 'timestamp_ms' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: integer('completed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('comparison_sessions_user_created_idx').on(t.userId, t.createdAt),
    index('comparison_sessions_status_idx').on(t.status),
    index('comparison_sessions_root_idx').on(t.rootId),
  ],
);

export const modelResponses = sqliteTable(
  'model_responses',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    /** Order of the model in the request (a blind session's slot: 0 is A), so responses come back as asked. */
    position: integer('position').notNull(),
    modelId: text('model_id').notNull(),
    provider: text('provider').notNull(),
    response: text('response').notNull().default(''),
    /** The model's reasoning or thinking text, apart from the answer. */
    reasoning: text('reasoning').notNull().default(''),
    status: text('status', { enum: responseStatuses }).notNull().default('pending'),
    finishReason: text('finish_reason', { enum: finishReasons }),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    cacheWriteInputTokens: integer('cache_write_input_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens'),
    /** US dollars; null when the price is unknown (never 0 for "unknown"). */
    cost: real('cost'),
    costSource: text('cost_source', { enum: costSources }),
    usageSource: text('usage_source', { enum: usageSources }),
    /** The prices this cost was computed with (JSON), so an old answer explains its cost after prices change. */
    price: text('price', { mode: 'json' }).$type<PriceSnapshot>(),
    responseTimeMs: integer('response_time_ms'),
    timeToFirstTokenMs: integer('time_to_first_token_ms'),
    timeToFirstReasoningMs: integer('time_to_first_reasoning_ms'),
    errorMessage: text('error_message'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('model_responses_session_model_idx').on(t.sessionId, t.modelId)],
);

/**
 * The session's stream, so that a reconnect gets exactly what it missed with the same ids, also
 * after a restart. One row per write of a session, holding every event since its previous write
 * (ids firstId to lastId, which follow each other): a row per event cost the relay a SQLite insert
 * per streamed chunk, about a quarter of its CPU at full speed.
 */
export const sessionEventBatches = sqliteTable(
  'session_event_batches',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    firstId: integer('first_id').notNull(),
    lastId: integer('last_id').notNull(),
    /** One line per event: its name, a space, its JSON data (JSON text never holds a raw newline). */
    events: text('events').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.firstId] })],
);

export type User = typeof users.$inferSelect;
export type ComparisonSession = typeof comparisonSessions.$inferSelect;
export type ModelResponse = typeof modelResponses.$inferSelect;
export type SessionEventBatch = typeof sessionEventBatches.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Budgets (costs you can trust): the spending ledger, one row per model response.
// ---------------------------------------------------------------------------------------------

export const budgetEntryStatuses = ['reserved', 'settled'] as const;

/**
 * A model response's reservation (its max cost, held while it runs), then its real cost. No foreign
 * keys: a reservation is written before the session's rows exist, and spend must outlive a deleted
 * session. A cost counts in the UTC day and month of `reservedAt`, the moment it was admitted.
 * Amounts are integers of a billionth of a dollar, so sums and limit checks are exact.
 */
export const budgetLedger = sqliteTable(
  'budget_ledger',
  {
    responseId: text('response_id').primaryKey(),
    userId: text('user_id').notNull(),
    modelId: text('model_id').notNull(),
    /** The max cost held while the model runs; 0 for an unpriced model run under BUDGET_UNPRICED=allow. */
    reservedNano: integer('reserved_nano').notNull(),
    /** The real cost once settled; null while reserved, or when even the real cost is unknown. */
    costNano: integer('cost_nano'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    status: text('status', { enum: budgetEntryStatuses }).notNull().default('reserved'),
    reservedAt: integer('reserved_at', { mode: 'timestamp_ms' }).notNull(),
    settledAt: integer('settled_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('budget_ledger_user_reserved_idx').on(t.userId, t.reservedAt)],
);

export type BudgetEntry = typeof budgetLedger.$inferSelect;
// ---- Share links (the share feature's own block, kept apart for the merge) ------------------------

/**
 * A read-only link to a snapshot of an ended session. The snapshot is copied when the link is made,
 * so what a visitor sees never changes under the link; revoking sets revoked_at and the link is dead.
 */
export const shares = sqliteTable(
  'shares',
  {
    /** At least 128 random bits, base64url: the id is the only secret a visitor needs. */
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** JSON text of the shared view: no user id, email, ticket or key in it. */
    snapshot: text('snapshot').notNull(),
    createdAt: createdAt(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('shares_session_idx').on(t.sessionId, t.userId)],
);

export type Share = typeof shares.$inferSelect;

// ---- Votes (judging) ---------------------------------------------------------------------------

/**
 * One vote on one session. A named session may be re-voted (the newest row counts); a blind one
 * takes one. Kept with what position bias and leak studies need: whether the session was blind
 * then, whether every model had completed, how long after the last token the vote came, and the
 * slot each model was shown in.
 */
export const votes = sqliteTable(
  'votes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    /** A model id (never a slot), `tie` or `all_bad`. */
    choice: text('choice').notNull(),
    reason: text('reason'),
    blind: integer('blind', { mode: 'boolean' }).notNull(),
    allCompleted: integer('all_completed', { mode: 'boolean' }).notNull(),
    secondsToVote: real('seconds_to_vote'),
    /** The completed models in slot order, and every model's slot (JSON). */
    models: text('models', { mode: 'json' }).$type<string[]>().notNull(),
    positions: text('positions', { mode: 'json' }).$type<{ slot: string; modelId: string }[]>().notNull(),
    /** The answers named a model or vendor: left out of blind leaderboards. */
    leaked: integer('leaked', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('votes_user_idx').on(t.userId, t.createdAt),
    index('votes_session_idx').on(t.sessionId),
    // A blind session takes one vote: the database refuses a second, also from another instance.
    uniqueIndex('votes_one_blind_idx').on(t.sessionId).where(sql`${t.blind} = 1`),
  ],
);

export type VoteRow = typeof votes.$inferSelect;
