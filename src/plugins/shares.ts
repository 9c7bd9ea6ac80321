// The shares plugin: share links as `app.shares`, over the engine's store and the comparison engine's view.
import fp from 'fastify-plugin';
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
        store: app.stores.shares,
        getSession: (userId, sessionId) => app.comparisons.get(userId, sessionId),
        // A blind session is shared only once revealed: the link would otherwise give the models away.
        refuseShare: (view) =>
          view.blind && !view.revealed ? 'A blind comparison can be shared once it is revealed' : undefined,
      }),
    );
  },
  { name: 'shares', dependencies: ['repositories', 'sessions'] },
);
