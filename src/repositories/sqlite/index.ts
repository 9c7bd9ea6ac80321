// Every SQLite store over one better-sqlite3 database.
import type { Db } from '../../db/client.js';
import type { EngineStoreOptions, EngineStores } from '../types.js';
import { createSqliteBudgetStore } from './budget-store.js';
import { createSqliteSessionStore } from './session-store.js';
import { createSqliteSharesStore } from './shares-store.js';
import { createSqliteUserStore } from './user-store.js';
import { createSqliteVoteStore } from './vote-store.js';

export function createSqliteStores(db: Db, options: EngineStoreOptions): EngineStores {
  return {
    sessions: createSqliteSessionStore(db),
    users: createSqliteUserStore(db),
    votes: createSqliteVoteStore(db),
    budgets: createSqliteBudgetStore(db, options.budgets),
    shares: createSqliteSharesStore(db),
  };
}
