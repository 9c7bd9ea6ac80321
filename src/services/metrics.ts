// Pure metric arithmetic: one model's numbers from its timings, usage and price, a session's from its models.
import type { CostSource, PriceSnapshot, UsageSource } from '../db/schema.js';
import { priceResponse } from '../providers/cost.js';
import type { FinishReason, ModelInfo, Usage } from '../providers/types.js';

export interface ModelMetrics {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteInputTokens: number;
  reasoningTokens: number | null;
  /** US dollars; null when the price is unknown. */
  cost: number | null;
  costSource: CostSource;
  usageSource: UsageSource;
  price: PriceSnapshot | null;
  responseTimeMs: number | null;
  timeToFirstTokenMs: number | null;
  timeToFirstReasoningMs: number | null;
  tokensPerSecond: number | null;
  /** Why the model stopped; null when it did not finish (an error, a cancel). */
  finishReason: FinishReason | null;
}

export interface SessionMetrics {
  totalTokens: number;
  /** The sum of the known costs: with costComplete false it is a lower bound ("at least"). */
  totalCost: number;
  averageResponseTime: number;
  /** False when any response's cost is unknown (null). */
  costComplete: boolean;
}

export interface ModelTimings {
  startedAt: number;
  firstTokenAt?: number;
  firstReasoningAt?: number;
  lastTokenAt?: number;
  endedAt: number;
}

/** A sum of costs rounded as computeCost rounds each one, so totals show no floating-point dust. */
const roundCost = (usd: number) => Math.round(usd * 1e9) / 1e9;

export function tokensPerSecond(
  outputTokens: number,
  responseTimeMs: number | null,
  timeToFirstTokenMs: number | null,
): number | null {
  if (responseTimeMs === null || outputTokens === 0) return null;
  // Generation speed: tokens over the time from the first token to the last one.
  const generatingMs = responseTimeMs - (timeToFirstTokenMs ?? 0);
  const ms = generatingMs > 0 ? generatingMs : responseTimeMs;
  return ms > 0 ? Math.round((outputTokens / ms) * 10_000) / 10 : null;
}

/**
 * One model's numbers. Costs come from priceResponse (src/providers/cost.ts): the provider's charge,
 * its token counts x our price, or our own count (`estimated`: the prompt and the streamed text)
 * when it reported none; an unknown price is a null cost, never 0.
 */
export function modelMetrics(
  model: ModelInfo,
  usage: Usage | null,
  t: ModelTimings,
  finishReason: FinishReason | null,
  estimated?: { inputTokens: number; outputTokens: number },
): ModelMetrics & { stalePrice: boolean; computedCost: number | null } {
  const priced = priceResponse({ model, usage, estimated });
  const responseTimeMs = (t.lastTokenAt ?? t.endedAt) - t.startedAt;
  const timeToFirstTokenMs = t.firstTokenAt === undefined ? null : t.firstTokenAt - t.startedAt;
  return {
    inputTokens: priced.inputTokens,
    outputTokens: priced.outputTokens,
    cachedInputTokens: priced.cachedInputTokens,
    cacheWriteInputTokens: priced.cacheWriteInputTokens,
    reasoningTokens: priced.reasoningTokens,
    cost: priced.cost,
    costSource: priced.costSource,
    usageSource: priced.usageSource,
    price: priced.price,
    responseTimeMs,
    timeToFirstTokenMs,
    timeToFirstReasoningMs: t.firstReasoningAt === undefined ? null : t.firstReasoningAt - t.startedAt,
    tokensPerSecond: tokensPerSecond(priced.outputTokens, responseTimeMs, timeToFirstTokenMs),
    finishReason,
    stalePrice: priced.stalePrice,
    computedCost: priced.computedCost,
  };
}

/**
 * Totals over every response; the average response time over the completed ones only. An unknown
 * cost (null) adds nothing to totalCost and makes costComplete false, never a silent 0.
 */
export function sessionMetrics(
  responses: {
    status: string;
    inputTokens: number;
    outputTokens: number;
    cost: number | null;
    responseTimeMs: number | null;
  }[],
): SessionMetrics {
  let totalTokens = 0;
  let totalCost = 0;
  let costComplete = true;
  let timeSum = 0;
  let timed = 0;
  for (const r of responses) {
    totalTokens += r.inputTokens + r.outputTokens;
    if (r.cost === null) costComplete = false;
    else totalCost += r.cost;
    if (r.status === 'completed' && r.responseTimeMs !== null) {
      timeSum += r.responseTimeMs;
      timed++;
    }
  }
  return {
    totalTokens,
    totalCost: roundCost(totalCost),
    averageResponseTime: timed === 0 ? 0 : Math.round(timeSum / timed),
    costComplete,
  };
}
