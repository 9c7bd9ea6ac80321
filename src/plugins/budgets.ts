// The budgets plugin: the spending ledger of this app's database, with the configured limits.
import fp from 'fastify-plugin';
import { createSqliteBudgetStore } from '../repositories/sqlite/budget-store.js';
import type { BudgetStore } from '../services/budget.js';

declare module 'fastify' {
  interface FastifyInstance {
    budgets: BudgetStore;
  }
}

export default fp(
  async (app) => {
    app.decorate('budgets', createSqliteBudgetStore(app.db, app.config.budgets));
  },
  { name: 'budgets', dependencies: ['db'] },
);
