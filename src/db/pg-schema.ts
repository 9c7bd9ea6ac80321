// The Postgres schema: every table of schema.ts with the same names and columns, in Postgres types.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import {
  budgetEntryStatuses,
  costSources,
  finishReasons,
  type PriceSnapshot,
  responseStatuses,
  sessionStatuses,
  usageSources,
} from './schema.js';

// Millisecond instants as the stores' Dates need them: timestamptz keeps microseconds, we write ms.
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => instant('created_at').notNull().defaultNow();
const updatedAt = () => instant('updated_at').notNull().defaultNow();

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email'),
  name: text('name'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const comparisonSessions = pgTable(
  'comparison_sessions',
  {
    id: text('id').primaryKey(),
    /** Insertion order, as SQLite's rowid: breaks ties between sessions created in the same millisecond. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    prompt: text('prompt').notNull(),
    system: text('system'),
    temperature: doublePrecision('temperature'),
    maxTokens: integer('max_tokens'),
    status: text('status', { enum: sessionStatuses }).notNull().default('pending'),
    errorMessage: text('error_message'),
    finalEventId: integer('final_event_id'),
    parentId: text('parent_id'),
    rootId: text('root_id'),
    turn: integer('turn').notNull().default(1),
    blind: boolean('blind').notNull().default(false),
    revealedAt: instant('revealed_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    completedAt: instant('completed_at'),
  },
  (t) => [
    index('comparison_sessions_user_created_idx').on(t.userId, t.createdAt),
    index('comparison_sessions_status_idx').on(t.status),
    index('comparison_sessions_root_idx').on(t.rootId),
  ],
);

export const modelResponses = pgTable(
  'model_responses',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    modelId: text('model_id').notNull(),
    provider: text('provider').notNull(),
    response: text('response').notNull().default(''),
    reasoning: text('reasoning').notNull().default(''),
    status: text('status', { enum: responseStatuses }).notNull().default('pending'),
    finishReason: text('finish_reason', { enum: finishReasons }),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cachedInputTokens: integer('cached_input_tokens').notNull().default(0),
    cacheWriteInputTokens: integer('cache_write_input_tokens').notNull().default(0),
    reasoningTokens: integer('reasoning_tokens'),
    cost: doublePrecision('cost'),
    costSource: text('cost_source', { enum: costSources }),
    usageSource: text('usage_source', { enum: usageSources }),
    price: jsonb('price').$type<PriceSnapshot>(),
    responseTimeMs: integer('response_time_ms'),
    timeToFirstTokenMs: integer('time_to_first_token_ms'),
    timeToFirstReasoningMs: integer('time_to_first_reasoning_ms'),
    errorMessage: text('error_message'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('model_responses_session_model_idx').on(t.sessionId, t.modelId)],
);

export const sessionEventBatches = pgTable(
  'session_event_batches',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    firstId: integer('first_id').notNull(),
    lastId: integer('last_id').notNull(),
    /** One line per event: its name, a space, its JSON data. */
    events: text('events').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.firstId] })],
);

/** Amounts in billionths of a dollar: bigint, read as JS numbers (exact below 2^53, about $9 million). */
export const budgetLedger = pgTable(
  'budget_ledger',
  {
    responseId: text('response_id').primaryKey(),
    userId: text('user_id').notNull(),
    modelId: text('model_id').notNull(),
    reservedNano: bigint('reserved_nano', { mode: 'number' }).notNull(),
    costNano: bigint('cost_nano', { mode: 'number' }),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    status: text('status', { enum: budgetEntryStatuses }).notNull().default('reserved'),
    reservedAt: instant('reserved_at').notNull(),
    settledAt: instant('settled_at'),
  },
  (t) => [index('budget_ledger_user_reserved_idx').on(t.userId, t.reservedAt)],
);

export const shares = pgTable(
  'shares',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /**
     * JSON text, as in SQLite: jsonb would refuse a "\u0000" an answer may hold, and the store parses
     * it through the schema either way.
     */
    snapshot: text('snapshot').notNull(),
    createdAt: createdAt(),
    revokedAt: instant('revoked_at'),
  },
  (t) => [index('shares_session_idx').on(t.sessionId, t.userId)],
);

export const votes = pgTable(
  'votes',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sessionId: text('session_id')
      .notNull()
      .references(() => comparisonSessions.id, { onDelete: 'cascade' }),
    choice: text('choice').notNull(),
    reason: text('reason'),
    blind: boolean('blind').notNull(),
    allCompleted: boolean('all_completed').notNull(),
    secondsToVote: doublePrecision('seconds_to_vote'),
    models: jsonb('models').$type<string[]>().notNull(),
    positions: jsonb('positions').$type<{ slot: string; modelId: string }[]>().notNull(),
    leaked: boolean('leaked').notNull().default(false),
    createdAt: instant('created_at').notNull(),
  },
  (t) => [
    index('votes_user_idx').on(t.userId, t.createdAt),
    index('votes_session_idx').on(t.sessionId),
    // A blind session takes one vote: the database refuses a second, also from another instance.
    uniqueIndex('votes_one_blind_idx').on(t.sessionId).where(sql`${t.blind}`),
  ],
);
