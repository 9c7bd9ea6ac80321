// The budgets plugin: the spending ledger of the configured engine (app.stores), with the configured limits.
import fp from 'fastify-plugin';
import type { BudgetStore } from '../services/budget.js';

declare module 'fastify' {
  interface FastifyInstance {
    budgets: BudgetStore;
  }
}

export default fp(
  async (app) => {
    app.decorate('budgets', app.stores.budgets);
  },
  { name: 'budgets', dependencies: ['repositories'] },
);
