// Every Postgres store over one node-postgres pool.
import type { PgDb } from '../../db/pg-client.js';
import type { SessionLocks } from '../../db/pg-session-locks.js';
import type { EngineStoreOptions, EngineStores } from '../types.js';
import { createPostgresBudgetStore } from './budget-store.js';
import { createPostgresSessionStore } from './session-store.js';
import { createPostgresSharesStore } from './shares-store.js';
import { createPostgresUserStore } from './user-store.js';
import { createPostgresVoteStore } from './vote-store.js';

/** `locks`: which sessions this instance runs (the app passes them; see createPostgresSessionStore). */
export function createPostgresStores(
  db: PgDb,
  options: EngineStoreOptions,
  locks?: SessionLocks,
): EngineStores {
  return {
    sessions: createPostgresSessionStore(db, locks),
    users: createPostgresUserStore(db),
    votes: createPostgresVoteStore(db),
    budgets: createPostgresBudgetStore(db, options.budgets),
    shares: createPostgresSharesStore(db),
  };
}
