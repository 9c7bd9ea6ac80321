// The db plugin: Drizzle on better-sqlite3, migrated at start-up, closed with the app.
import fp from 'fastify-plugin';
import { type DatabaseHealth, type Db, openDatabase } from '../db/client.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    /** Whether the database answers, its file is still there, and it can be written. */
    databaseHealth(): DatabaseHealth;
  }
}

export default fp<{ path: string }>(
  async (app, opts) => {
    const { db, close, health } = openDatabase(opts.path, { log: app.log });
    app.decorate('db', db);
    app.decorate('databaseHealth', health);
    // Stops the WAL checkpoint worker, then folds the WAL into the main file and closes.
    app.addHook('onClose', () => close());
  },
  { name: 'db' },
);
