// Opens SQLite through better-sqlite3 with the pragmas we rely on, and applies the migrations.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { FastifyBaseLogger } from 'fastify';
import * as schema from './schema.js';
import { startWalCheckpointer } from './wal-checkpointer.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** migrations/ sits at the package root, both from src/ (tsx, vitest) and from dist/. */
export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export interface OpenDatabaseOptions {
  /** Where a failed checkpoint worker and a failed final checkpoint are reported. */
  log?: FastifyBaseLogger;
  /** How often the worker checkpoints the WAL; tests shorten it. */
  checkpointIntervalMs?: number;
  /** better-sqlite3's entry file as the worker requires it; tests pass a bad one to see the fallback. */
  sqliteModulePath?: string;
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}) {
  if (path !== ':memory:' && !path.startsWith('file:'))
    mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  try {
    // WAL lets readers (history, replay) run beside the batched writer; the busy timeout covers
    // a second process (drizzle-kit studio, a backup) holding the lock for a moment. An in-memory
    // database answers 'memory': it has no WAL to checkpoint and no file a worker could open.
    const wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal';
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder });
    // SQLite's automatic checkpoint runs inside whichever commit crosses 1000 WAL pages and fsyncs
    // the file there, on the event loop: a worker takes that off every stream's path.
    const checkpointer = wal
      ? startWalCheckpointer(sqlite, {
          intervalMs: options.checkpointIntervalMs ?? 1000,
          sqliteModulePath: options.sqliteModulePath,
          log: options.log,
        })
      : undefined;

    /** Stops the checkpoint worker, folds the WAL back into the main file, and closes the connection. */
    async function close() {
      // First: the last connection to close is the one that can fold in and delete the WAL.
      await checkpointer?.stop();
      if (!sqlite.open) return;
      // Fold the WAL back into the main file so a copied database file is complete.
      try {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        options.log?.warn({ err }, 'WAL checkpoint at close failed');
      }
      sqlite.close();
    }

    return { sqlite, db, close };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
