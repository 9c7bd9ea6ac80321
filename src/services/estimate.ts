// What a comparison will cost before it runs: tokens counted here, a min and max cost per model, no provider call.
import { isFree, roundToNanoDollars, tokensCost } from '../providers/cost.js';
import { type TokenCounter, type TokenCountMethod, tokenCountMethod } from '../providers/token-count.js';
import type { ChatMessage, ModelInfo } from '../providers/types.js';

export interface ModelEstimate {
  modelId: string;
  /** The prompt's tokens, counted locally (see inputTokensMethod). */
  inputTokens: number;
  /** `estimate` when the count comes from another tokenizer than the model's own (Anthropic, ...). */
  inputTokensMethod: TokenCountMethod;
  /** The output limit the adapter sends: the request's maxTokens, else the model's default. */
  maxOutputTokens: number;
  /** The prompt at the normal input price and no output at all; null when the price is unknown. */
  minCost: number | null;
  /** The prompt at the normal input price plus maxOutputTokens at the output price; null when unknown. */
  maxCost: number | null;
  costSource: 'estimated' | 'free' | 'unknown';
}

export interface ComparisonEstimate {
  models: ModelEstimate[];
  /**
   * minCost: the sum of the known minimums, a true lower bound even when some price is unknown (the
   * client shows "at least"); maxCost: the sum of the maximums, null when any model's is unknown,
   * because nothing bounds what an unpriced model will charge.
   */
  totals: { minCost: number; maxCost: number | null };
}

/**
 * The estimate of a comparison of `models` over `messages`.
 *
 * Min and max both price the prompt at the normal input price. A provider's prompt cache can only
 * make input cheaper (OpenAI's cached reads; we never ask Anthropic to write a cache, which would
 * cost 1.25x), so max is an upper bound for the counted tokens; min is what the run costs with no
 * cache hit and an empty answer, and a cache hit on a long repeated prompt may come in below it.
 * For an `estimate` token count the real input may differ a little either way.
 */
export function estimateComparison(
  models: readonly ModelInfo[],
  messages: readonly ChatMessage[],
  maxTokens: number | undefined,
  counter: TokenCounter,
): ComparisonEstimate {
  // One count for every model: they all receive the same messages, and all count with o200k_base.
  const inputTokens = counter.countMessageTokens(messages);
  const rows = models.map((model): ModelEstimate => {
    const maxOutputTokens = maxTokens ?? model.defaultMaxTokens;
    const common = {
      modelId: model.id,
      inputTokens,
      inputTokensMethod: tokenCountMethod(model),
      maxOutputTokens,
    };
    const p = model.pricing;
    if (!p) return { ...common, minCost: null, maxCost: null, costSource: 'unknown' };
    if (isFree(p)) return { ...common, minCost: 0, maxCost: 0, costSource: 'free' };
    const minCost = tokensCost(inputTokens, p.inputPerMillion);
    const maxCost = roundToNanoDollars(minCost + tokensCost(maxOutputTokens, p.outputPerMillion));
    return { ...common, minCost, maxCost, costSource: 'estimated' };
  });
  let minTotal = 0;
  let maxTotal: number | null = 0;
  for (const r of rows) {
    minTotal += r.minCost ?? 0;
    maxTotal = maxTotal === null || r.maxCost === null ? null : maxTotal + r.maxCost;
  }
  return {
    models: rows,
    totals: {
      minCost: roundToNanoDollars(minTotal),
      maxCost: maxTotal === null ? null : roundToNanoDollars(maxTotal),
    },
  };
}
