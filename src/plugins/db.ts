// The db plugin: SQLite (better-sqlite3) by default, Postgres with DATABASE_URL; migrated at start-up, closed with the app.
import fp from 'fastify-plugin';
import { type DatabaseHealth, type Db, openDatabase } from '../db/client.js';
import { openPostgres, type PgDb, redactDatabaseUrl } from '../db/pg-client.js';
import type { SessionLocks } from '../db/pg-session-locks.js';

/** The engine this app stores in, with its Drizzle handle. */
export type Database =
  | { engine: 'sqlite'; db: Db }
  /** `locks`: the sessions this instance runs, so another instance's recovery leaves them alone. */
  | { engine: 'postgres'; db: PgDb; locks: SessionLocks };

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    /** The SQLite handle (tests and SQLite-only tools); throws on an app that runs on Postgres. */
    db: Db;
    /**
     * Whether the database answers and can be written (for SQLite: its file is still there). A
     * Promise for both engines: Postgres needs a round trip, bounded by a short timeout.
     */
    databaseHealth(): Promise<DatabaseHealth>;
  }
}

export interface DbOptions {
  /** SQLite file (or :memory:), used when `url` is absent. */
  path: string;
  /** postgres:// URL: Postgres instead of SQLite. */
  url?: string;
}

export default fp<DbOptions>(
  async (app, opts) => {
    let database: Database;
    if (opts.url) {
      const pg = await openPostgres(opts.url, { log: app.log });
      database = { engine: 'postgres', db: pg.db, locks: pg.locks };
      app.decorate('databaseHealth', pg.health);
      app.addHook('onClose', () => pg.close());
      app.log.info({ database: redactDatabaseUrl(opts.url) }, 'storing in Postgres');
    } else {
      const sqlite = openDatabase(opts.path, { log: app.log });
      database = { engine: 'sqlite', db: sqlite.db };
      app.decorate('databaseHealth', async () => sqlite.health());
      // Stops the WAL checkpoint worker, then folds the WAL into the main file and closes.
      app.addHook('onClose', () => sqlite.close());
    }
    // As a getter: fastify's decorate typing takes an object of this union for a getter/setter pair.
    app.decorate('database', { getter: () => database });
    app.decorate('db', {
      getter(): Db {
        if (database.engine !== 'sqlite') throw new Error('app.db is SQLite’s; this app runs on Postgres');
        return database.db;
      },
    });
  },
  { name: 'db' },
);
