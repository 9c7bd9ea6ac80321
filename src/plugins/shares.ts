// The shares plugin: share links as `app.shares`, over the SQLite store and the comparison engine's view.
import fp from 'fastify-plugin';
import { createSqliteSharesStore } from '../repositories/sqlite/shares-store.js';
import { createSharesService, type SharesService } from '../services/shares.js';

declare module 'fastify' {
  interface FastifyInstance {
    shares: SharesService;
  }
}

export default fp(
  async (app) => {
    app.decorate(
      'shares',
      createSharesService({
        store: createSqliteSharesStore(app.db),
        getSession: (userId, sessionId) => app.comparisons.get(userId, sessionId),
        // No session is blind yet; once the view carries `blind` and `revealed`, refuse here before the reveal.
        refuseShare: () => undefined,
      }),
    );
  },
  { name: 'shares', dependencies: ['db', 'sessions'] },
);
