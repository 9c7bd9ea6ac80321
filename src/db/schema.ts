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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: integer('completed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('comparison_sessions_user_created_idx').on(t.userId, t.createdAt),
    index('comparison_sessions_status_idx').on(t.status),
  ],
);

export const modelResponses = sqliteTable(
  'model_responses',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    /** Order of the model in the request, so responses come back as asked. */
    position: integer('position').notNull(),
    modelId: text('model_id').notNull(),
    provider: text('provider').notNull(),
    response: text('response').notNull().default(''),
    status: text('status', { enum: responseStatuses }).notNull().default('pending'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    cost: real('cost').notNull().default(0),
    responseTimeMs: integer('response_time_ms'),
    timeToFirstTokenMs: integer('time_to_first_token_ms'),
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
