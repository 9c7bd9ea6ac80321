// The stores the services use: Promise-returning interfaces, one implementation per engine (SQLite, Postgres).
import type { CostSource, PriceSnapshot, ResponseStatus, SessionStatus, UsageSource } from '../db/schema.js';
import type { FinishReason } from '../providers/types.js';
import type { BudgetLimits, BudgetStore } from '../services/budget.js';
import type { ModelMetrics } from '../services/metrics.js';
import type { SharesStore } from '../services/shares.js';

export interface AuthUser {
  id: string;
  email: string | null;
  name: string | null;
}

export interface UserStore {
  /** A user by id; served from memory when the user was just seen. */
  findById(id: string): Promise<AuthUser | undefined>;
  /** Stores the user seen in a token and returns the stored profile (claims the token lacks kept). */
  upsert(user: AuthUser): Promise<AuthUser>;
}

export interface StoredSession {
  id: string;
  userId: string;
  prompt: string;
  system: string | null;
  temperature: number | null;
  maxTokens: number | null;
  status: SessionStatus;
  errorMessage: string | null;
  finalEventId: number | null;
  parentId: string | null;
  rootId: string | null;
  turn: number;
  blind: boolean;
  revealedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface StoredResponse {
  id: string;
  sessionId: string;
  position: number;
  modelId: string;
  provider: string;
  response: string;
  reasoning: string;
  status: ResponseStatus;
  finishReason: FinishReason | null;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  reasoningTokens: number | null;
  cost: number | null;
  costSource: CostSource | null;
  usageSource: UsageSource | null;
  price: PriceSnapshot | null;
  responseTimeMs: number | null;
  timeToFirstTokenMs: number | null;
  timeToFirstReasoningMs: number | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type ResponseSummary = Omit<StoredResponse, 'response' | 'reasoning'>;

export interface NewSession {
  id: string;
  userId: string;
  prompt: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  parentId?: string;
  rootId?: string;
  turn?: number;
  blind?: boolean;
  /** `position` orders the responses (a blind session's slot); their index when absent. */
  responses: { id: string; modelId: string; provider: string; position?: number }[];
}

/** The figures of a response once its model ended: its metrics as the events carry them, minus the derived rate. */
export type ResponseFinal = Omit<ModelMetrics, 'tokensPerSecond'> & { errorMessage: string | null };

export interface ResponseProgress {
  id: string;
  /** Text streamed since the last write, appended to the stored response. */
  appendText: string;
  /** Reasoning streamed since the last write. */
  appendReasoning: string;
  status?: ResponseStatus;
  final?: ResponseFinal;
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
  /** The events since the last write, ids in increasing order: stored as one row. */
  events: readonly StoredEvent[];
  responses: ResponseProgress[];
  final?: { status: SessionStatus; errorMessage: string | null; finalEventId: number };
}

export interface InterruptedSession {
  session: StoredSession;
  responses: StoredResponse[];
  events: StoredEvent[];
}

export interface SessionStore {
  /** Stores a new session (in_progress) and its pending responses, atomically; returns it as stored. */
  create(session: NewSession): Promise<StoredSession>;
  /**
   * The same, synchronously, where the engine is (SQLite): so that it can run inside the budget's
   * reservation transaction (`BudgetStore.reserveWithin`), one commit per comparison instead of two.
   */
  createSync?(session: NewSession): StoredSession;
  findSessionForUser(userId: string, id: string): Promise<StoredSession | undefined>;
  findForUser(
    userId: string,
    id: string,
  ): Promise<{ session: StoredSession; responses: StoredResponse[] } | undefined>;
  /** The user's sessions, newest first, with their responses minus the texts. */
  listForUser(
    userId: string,
    limit: number,
    offset: number,
  ): Promise<{ total: number; sessions: StoredSession[]; responses: ResponseSummary[] }>;
  /** The sessions of one conversation (the first one and every follow-up), oldest first. */
  thread(userId: string, rootId: string): Promise<StoredSession[]>;
  /** Writes the progress of many sessions in one transaction. */
  persist(batch: SessionProgress[]): Promise<void>;
  eventsAfter(sessionId: string, afterId: number): Promise<StoredEvent[]>;
  /** Marks a blind session revealed (idempotent); false when it is not the user's. */
  reveal(userId: string, id: string, at: Date): Promise<boolean>;
  /** Sessions a process left running when it died: it can no longer finish them. */
  findInterrupted(): Promise<InterruptedSession[]>;
  /**
   * One session by id if it is still pending or in progress, with its responses and stored events
   * (another instance's sweeper ends it when its owner died); undefined once it has ended.
   */
  findUnfinished(id: string): Promise<InterruptedSession | undefined>;
}

export interface StoredVote {
  id: string;
  userId: string;
  sessionId: string;
  /** A model id (never a slot), `tie` or `all_bad`. */
  choice: string;
  reason: string | null;
  blind: boolean;
  allCompleted: boolean;
  secondsToVote: number | null;
  /** The session's completed models in slot order. */
  models: string[];
  positions: { slot: string; modelId: string }[];
  leaked: boolean;
  createdAt: Date;
}

export interface VoteTallyFilter {
  /** Only this user's votes (scope=me); every user's when absent. */
  userId?: string;
  /** Only blind votes whose answers named no model. */
  blindOnly: boolean;
}

export interface VoteTallyRow {
  models: string[];
  choice: string;
  count: number;
}

export interface VoteStore {
  /** False, storing nothing, for a blind vote on a session that has one already (atomically). */
  insert(vote: StoredVote): Promise<boolean>;
  /** The user's votes on one session, newest first. */
  forSession(userId: string, sessionId: string): Promise<StoredVote[]>;
  /** Oldest first. */
  listForUser(userId: string): Promise<StoredVote[]>;
  /**
   * What a leaderboard counts, summed by the database: the newest vote of each (user, session),
   * kept when it is the user's (`userId`) and blind and not leaked (`blindOnly`), grouped by its
   * models in slot order and its choice.
   */
  tally(filter: VoteTallyFilter): Promise<VoteTallyRow[]>;
  /** Changes whenever a vote is stored or removed, by any instance: what cached boards are checked against. */
  stamp(): Promise<string>;
}

export interface Stores {
  sessions: SessionStore;
  users: UserStore;
  votes: VoteStore;
}

/** Every store of one engine: what `app.stores` holds (budgets and shares have their own plugins over it). */
export interface EngineStores extends Stores {
  budgets: BudgetStore;
  shares: SharesStore;
}

/** What an engine's stores are made with besides its database handle. */
export interface EngineStoreOptions {
  budgets: BudgetLimits;
}
