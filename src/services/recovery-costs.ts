// What recovery adds for money: an interrupted model's cost estimated from its text, and its budget reservation settled.
import type { FastifyBaseLogger } from 'fastify';
import { priceResponse } from '../providers/cost.js';
import type { TokenCounter } from '../providers/token-count.js';
import type { BudgetStore } from './budget.js';
import { firstTurnMessages } from './comparison-service.js';
import type { ModelDirectory } from './model-choice.js';
import type { RecoveryHooks } from './recovery.js';

/**
 * An instance that stopped mid-answer never got the provider's usage, but the provider charged for
 * the prompt and for what it streamed: recovery counts both here (`estimated`, as for a stream that
 * ended without usage; a follow-up turn's earlier history is not stored with the session, so its
 * input is counted as the prompt alone: an estimate on the low side). Each response's reservation is
 * then settled to its figures, so a dead instance's comparisons no longer hold budget until the
 * month ends; a reservation settled already (the model ended before the stop) is left as it is.
 */
export function recoveryCosts(deps: {
  models: Pick<ModelDirectory, 'get'>;
  tokens: TokenCounter;
  budgets: BudgetStore;
  log: FastifyBaseLogger;
}): RecoveryHooks {
  return {
    estimate(session, response) {
      const model = deps.models.get(response.modelId);
      if (!model) return undefined;
      const priced = priceResponse({
        model,
        usage: null,
        estimated: {
          inputTokens: deps.tokens.countMessageTokens(
            firstTurnMessages(session.prompt, session.system ?? undefined),
          ),
          outputTokens: deps.tokens.countTextTokens(response.response + response.reasoning),
        },
      });
      return {
        inputTokens: priced.inputTokens,
        outputTokens: priced.outputTokens,
        cachedInputTokens: priced.cachedInputTokens,
        cacheWriteInputTokens: priced.cacheWriteInputTokens,
        cost: priced.cost,
        costSource: priced.costSource,
        usageSource: priced.usageSource,
        price: priced.price,
      };
    },
    async ended(session, finals) {
      const now = new Date();
      for (const { responseId, metrics } of finals) {
        const { cost, inputTokens, outputTokens } = metrics;
        await deps.budgets
          .settle(responseId, { cost, inputTokens, outputTokens }, now)
          .catch((err: unknown) => {
            deps.log.error(
              { err, responseId, sessionId: session.id },
              'settling a recovered reservation failed',
            );
          });
      }
    },
  };
}
