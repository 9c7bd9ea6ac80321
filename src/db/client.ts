// Opens SQLite through better-sqlite3 with the pragmas we rely on, and applies the migrations.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** migrations/ sits at the package root, both from src/ (tsx, vitest) and from dist/. */
export const migrationsFolder = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

export function openDatabase(path: string) {
  if (path !== ':memory:' && !path.startsWith('file:'))
    mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  try {
    // WAL lets readers (history, replay) run beside the batched writer; the busy timeout covers
    // a second process (drizzle-kit studio, a backup) holding the lock for a moment.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder });
    return { sqlite, db };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
