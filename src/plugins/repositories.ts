// The repositories plugin: the stores every service uses, for the configured database engine.
import fp from 'fastify-plugin';
import { createSqliteSessionStore } from '../repositories/sqlite/session-store.js';
import { createSqliteUserStore } from '../repositories/sqlite/user-store.js';
import { createSqliteVoteStore } from '../repositories/sqlite/vote-store.js';
import type { Stores } from '../repositories/types.js';

declare module 'fastify' {
  interface FastifyInstance {
    stores: Stores;
  }
}

export default fp(
  async (app) => {
    app.decorate('stores', {
      sessions: createSqliteSessionStore(app.db),
      users: createSqliteUserStore(app.db),
      votes: createSqliteVoteStore(app.db),
    } satisfies Stores);
  },
  { name: 'repositories', dependencies: ['db'] },
);
