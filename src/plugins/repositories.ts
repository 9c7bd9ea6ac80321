// The repositories plugin: every store the services use, for the configured database engine.
import fp from 'fastify-plugin';
import { createPostgresStores } from '../repositories/postgres/index.js';
import { createSqliteStores } from '../repositories/sqlite/index.js';
import type { EngineStores } from '../repositories/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    stores: EngineStores;
  }
}

export default fp(
  async (app) => {
    const options = { budgets: app.config.budgets };
    const { database } = app;
    app.decorate(
      'stores',
      database.engine === 'postgres'
        ? createPostgresStores(database.db, options, database.locks)
        : createSqliteStores(database.db, options),
    );
  },
  { name: 'repositories', dependencies: ['db'] },
);
