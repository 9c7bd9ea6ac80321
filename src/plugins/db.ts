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
    const { sqlite, db } = openDatabase(opts.path);
    app.decorate('db', db);
    app.decorate('databaseReachable', () => {
      try {
        return sqlite.prepare('select 1 as ok').get() !== undefined;
      } catch {
        return false;
      }
    });
    app.addHook('onClose', async () => {
      if (!sqlite.open) return;
      // Fold the WAL back into the main file so a copied database file is complete.
      try {
        sqlite.pragma('wal_checkpoint(TRUNCATE)');
      } catch (err) {
        app.log.warn({ err }, 'WAL checkpoint at close failed');
      }
      sqlite.close();
    });
  },
  { name: 'db' },
);
