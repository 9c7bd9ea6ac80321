// The one cost formula: tokens x price per million, each kind of input token at its own price.
import type { Pricing, Usage } from './types.js';

/**
 * Dollars for one model response. Cached reads and cache writes are parts of `inputTokens` (see `Usage`),
 * billed at their own price when the model has one and at the normal input price otherwise.
 * Rounded to a billionth of a dollar so sums of float products don't show noise like 0.30000000000000004.
 */
export function computeCost(usage: Usage, pricing: Pricing): number {
  const cached = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - cached - cacheWrite);
  const perMillion =
    uncached * pricing.inputPerMillion +
    cached * (pricing.cachedInputPerMillion ?? pricing.inputPerMillion) +
    cacheWrite * (pricing.cacheWriteInputPerMillion ?? pricing.inputPerMillion) +
    usage.outputTokens * pricing.outputPerMillion;
  return roundToNanoDollars(perMillion / 1e6);
}

function roundToNanoDollars(dollars: number): number {
  // Divide after rounding: multiplying by 1e-9 would bring the float noise back.
  return Math.round(dollars * 1e9) / 1e9;
}
