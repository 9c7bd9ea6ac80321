// The cost of one model response: where it came from, the tokens it counts, and the prices it used.
import type { ModelInfo, Pricing, Usage } from './types.js';

/**
 * Where a cost came from: `provider` (the provider reported the charge), `computed` (its token
 * counts x our price), `estimated` (tokens counted here), `free` (zero price), `unknown` (no price).
 */
export type CostSource = 'provider' | 'computed' | 'estimated' | 'free' | 'unknown';
/** Where the token counts came from. */
export type UsageSource = 'provider' | 'estimated' | 'none';

/** The prices used, kept with the response so an old comparison still explains its cost. */
export interface PriceUsed {
  inputPerMillion: number;
  outputPerMillion: number;
  cachedInputPerMillion: number | null;
  cacheWriteInputPerMillion: number | null;
  source: string;
  asOf: string | null;
}

export interface PricedResponse {
  /** US dollars; null when the price is unknown (never 0 for "we don't know"). */
  cost: number | null;
  costSource: CostSource;
  usageSource: UsageSource;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  reasoningTokens: number | null;
  price: PriceUsed | null;
  /** Our own figure (tokens x price), kept beside a provider-reported cost; null without a price. */
  computedCost: number | null;
  /**
   * True when the provider reported its charge and our figure differs from it by more than
   * STALE_PRICE_TOLERANCE: the catalogue's price is probably out of date (the caller logs it).
   */
  stalePrice: boolean;
}

/** A provider charge and our figure may differ by rounding; beyond 5% the price is likely stale. */
export const STALE_PRICE_TOLERANCE = 0.05;

export interface PriceResponseInput {
  model: Pick<ModelInfo, 'pricing' | 'priceSource' | 'priceAsOf'>;
  /** What the provider reported, or null when the stream ended without usage. */
  usage: Usage | null;
  /** Tokens counted here (the prompt, the streamed text) for when the provider reported none. */
  estimated?: { inputTokens: number; outputTokens: number };
}

/**
 * Prices one response. The rules, in order: a charge the provider reported wins (`provider`, with
 * our figure beside it); no price gives `cost: null`; a zero price is `free`; otherwise the
 * provider's token counts (`computed`) or ours (`estimated`) times the price. With neither usage
 * nor an estimate the cost is null: nothing was counted, so nothing honest can be said.
 */
export function priceResponse({ model, usage, estimated }: PriceResponseInput): PricedResponse {
  const counted: Usage | null = usage ?? (estimated ? { ...estimated } : null);
  const usageSource: UsageSource = usage ? 'provider' : estimated ? 'estimated' : 'none';
  const pricing = model.pricing;
  const computedCost = pricing && counted ? computeCost(counted, pricing) : null;
  const base = {
    usageSource,
    inputTokens: counted?.inputTokens ?? 0,
    outputTokens: counted?.outputTokens ?? 0,
    cachedInputTokens: counted?.cachedInputTokens ?? 0,
    cacheWriteInputTokens: counted?.cacheWriteInputTokens ?? 0,
    reasoningTokens: usage?.reasoningTokens ?? null,
    price: pricing ? priceUsed(pricing, model.priceSource, model.priceAsOf) : null,
    computedCost,
  };

  const providerCost = usage?.providerCost;
  if (providerCost !== undefined && Number.isFinite(providerCost) && providerCost >= 0) {
    return {
      ...base,
      cost: roundToNanoDollars(providerCost),
      costSource: 'provider',
      stalePrice: computedCost !== null && differsBeyondTolerance(providerCost, computedCost),
    };
  }
  if (!pricing) return { ...base, cost: null, costSource: 'unknown', stalePrice: false };
  if (isFree(pricing)) return { ...base, cost: 0, costSource: 'free', stalePrice: false };
  if (computedCost === null) return { ...base, cost: null, costSource: 'unknown', stalePrice: false };
  return {
    ...base,
    cost: computedCost,
    costSource: usage ? 'computed' : 'estimated',
    stalePrice: false,
  };
}

/**
 * Dollars for one model response. Cached reads and cache writes are parts of `inputTokens` (see
 * `Usage`), so each token is billed once, at its own price: cached reads at the cached price,
 * 5-minute cache writes at the write price, 1-hour writes at the 1-hour price, the rest at the
 * input price; a missing special price falls back to the next one that applies. Reasoning tokens
 * are already inside `outputTokens` and are not added again. Rounded to a billionth of a dollar so
 * sums of float products don't show noise like 0.30000000000000004.
 */
export function computeCost(usage: Usage, pricing: Pricing): number {
  const cached = usage.cachedInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const write1h = Math.min(usage.cacheWrite1hInputTokens ?? 0, cacheWrite);
  const write5m = cacheWrite - write1h;
  const uncached = Math.max(0, usage.inputTokens - cached - cacheWrite);
  const writePrice = pricing.cacheWriteInputPerMillion ?? pricing.inputPerMillion;
  const perMillion =
    uncached * pricing.inputPerMillion +
    cached * (pricing.cachedInputPerMillion ?? pricing.inputPerMillion) +
    write5m * writePrice +
    write1h * (pricing.cacheWrite1hInputPerMillion ?? writePrice) +
    usage.outputTokens * pricing.outputPerMillion;
  return roundToNanoDollars(perMillion / 1e6);
}

/** Dollars for a number of tokens at a price per million, rounded as computeCost rounds. */
export function tokensCost(tokens: number, perMillion: number): number {
  return roundToNanoDollars((tokens * perMillion) / 1e6);
}

export function isFree(pricing: Pricing): boolean {
  return (
    pricing.inputPerMillion === 0 &&
    pricing.outputPerMillion === 0 &&
    (pricing.cachedInputPerMillion ?? 0) === 0 &&
    (pricing.cacheWriteInputPerMillion ?? 0) === 0 &&
    (pricing.cacheWrite1hInputPerMillion ?? 0) === 0
  );
}

export function priceUsed(pricing: Pricing, source: string, asOf: string | null): PriceUsed {
  return {
    inputPerMillion: pricing.inputPerMillion,
    outputPerMillion: pricing.outputPerMillion,
    cachedInputPerMillion: pricing.cachedInputPerMillion ?? null,
    cacheWriteInputPerMillion: pricing.cacheWriteInputPerMillion ?? null,
    source,
    asOf,
  };
}

export function roundToNanoDollars(dollars: number): number {
  // Divide after rounding: multiplying by 1e-9 would bring the float noise back.
  return Math.round(dollars * 1e9) / 1e9;
}

function differsBeyondTolerance(reported: number, computed: number): boolean {
  if (reported === 0) return computed !== 0;
  return Math.abs(computed - reported) / reported > STALE_PRICE_TOLERANCE;
}
