// The db plugin: Drizzle on better-sqlite3, migrated at start-up, closed with the app.
import fp from 'fastify-plugin';
import { type Db, openDatabase } from '../db/client.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** Reports whether the database answers a real query. */
    databaseReachable(): boolean;
  }
}

export default fp<{ path: string }>(
  async (app, opts) => {
    const { sqlite, db, close } = openDatabase(opts.path, { log: app.log });
    app.decorate('db', db);
    app.decorate('databaseReachable', () => {
      try {
        return sqlite.prepare('select 1 as ok').get() !== undefined;
      } catch {
        return false;
      }
    });
    // Stops the WAL checkpoint worker, then folds the WAL into the main file and closes.
    app.addHook('onClose', () => close());
  },
  { name: 'db' },
);
