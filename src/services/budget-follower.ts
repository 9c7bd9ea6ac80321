// The budget's follower of a running comparison: each model's ending turns its reservation into its cost.
import type { FastifyBaseLogger } from 'fastify';
import type { SessionProgress } from '../repositories/types.js';
import type { BudgetStore } from './budget.js';
import type { SessionRun } from './comparison-runner.js';

/**
 * Reads the run's log from its own cursor; on a model's ending settles that response with the cost
 * its metrics carry (the provider's figure, else our estimate from the streamed text). A failed
 * settlement is logged and leaves the reservation standing: it errs on the side of spending less.
 */
export function settleBudgets(run: SessionRun, budgets: BudgetStore, log: FastifyBaseLogger): void {
  const responseIds = new Map(run.models.map((m) => [m.model.id, m.responseId]));
  run.log.followEvents((event) => {
    if (event.type !== 'model_complete' && event.type !== 'model_error') return;
    const responseId = responseIds.get(event.modelId);
    if (!responseId) return;
    const { cost, inputTokens, outputTokens } = event.metrics;
    budgets.settle(responseId, { cost, inputTokens, outputTokens }, new Date()).catch((err: unknown) => {
      log.error({ err, responseId }, 'settling a budget reservation failed');
    });
  });
}

/**
 * A session ended by start-up recovery or a failover: its owner's follower will never settle the
 * models it left running, so their reservations become their stored figures here (settle only
 * touches reservations still standing, so a model its owner already settled is left as it was).
 */
export async function settleEnded(
  budgets: BudgetStore | undefined,
  progress: readonly Pick<SessionProgress, 'responses'>[],
  log: FastifyBaseLogger,
): Promise<void> {
  if (!budgets) return;
  for (const p of progress)
    for (const r of p.responses) {
      if (!r.final) continue;
      const { cost, inputTokens, outputTokens } = r.final;
      await budgets.settle(r.id, { cost, inputTokens, outputTokens }, new Date()).catch((err: unknown) => {
        log.error({ err, responseId: r.id }, 'settling a budget reservation failed');
      });
    }
}
