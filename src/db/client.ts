// Opens SQLite through better-sqlite3 with the pragmas we rely on, and applies the migrations.
import { mkdirSync, type Stats, statSync } from 'node:fs';
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

/** What /health reports: `problem` says in a few words why the database can't be used, or is null. */
export interface DatabaseHealth {
  reachable: boolean;
  writable: boolean;
  problem: string | null;
}

const BUSY_TIMEOUT_MS = 5000;

const statOrNull = (file: string): Stats | null => {
  try {
    return statSync(file);
  } catch {
    return null;
  }
};

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
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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

    // The file as opened: if it is deleted or replaced, this connection writes on into an unlinked
    // inode and every write is lost at the next restart, with no error to say so.
    const file = path === ':memory:' || path.startsWith('file:') ? undefined : resolve(path);
    const opened = file ? statSync(file) : undefined;
    // A write statement that changes nothing: SQLite refuses it on a read-only connection (a file
    // the process may not write, a read-only mount, query_only), and BEGIN IMMEDIATE takes the
    // write lock as every real write must. Rolled back, so it costs no disk write.
    const writeProbe = sqlite.prepare('delete from __drizzle_migrations where 0');

    function fileProblem(): string | null {
      if (!file || !opened) return null;
      const now = statOrNull(file);
      if (!now || now.ino !== opened.ino || now.dev !== opened.dev)
        return 'the database file was deleted or replaced while the server runs';
      if (wal && !statOrNull(`${file}-wal`)) return 'the database write-ahead log was deleted';
      return null;
    }

    function writeProblem(): string | null {
      if (sqlite.inTransaction) return null;
      // Not the 5 s busy timeout: a health check must not hold the event loop while another
      // process holds the lock.
      sqlite.pragma('busy_timeout = 0');
      try {
        sqlite.exec('BEGIN IMMEDIATE');
        try {
          writeProbe.run();
        } finally {
          sqlite.exec('ROLLBACK');
        }
        return null;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && code.startsWith('SQLITE_READONLY'))
          return 'the database is read-only';
        if (code === 'SQLITE_BUSY') return 'the database is locked by another process';
        return 'the database cannot be written';
      } finally {
        sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
    }

    /** A query, the file's presence and a write probe: tens of microseconds, no disk write. */
    function health(): DatabaseHealth {
      if (!sqlite.open) return { reachable: false, writable: false, problem: 'the database is closed' };
      try {
        sqlite.prepare('select 1').get();
      } catch {
        return { reachable: false, writable: false, problem: 'the database does not answer' };
      }
      const problem = fileProblem() ?? writeProblem();
      return { reachable: true, writable: problem === null, problem };
    }

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

    return { sqlite, db, close, health };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
