// Pure metric arithmetic: one model's numbers from its timings and usage, a session's from its models.
import { computeCost } from '../providers/cost.js';
import type { ModelInfo, Usage } from '../providers/types.js';

export interface ModelMetrics {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cost: number;
  responseTimeMs: number | null;
  timeToFirstTokenMs: number | null;
  tokensPerSecond: number | null;
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
  lastTokenAt?: number;
  endedAt: number;
}

/** A rough count for a provider that reported no usage: about four characters per token. */
export const estimateTokens = (text: string) =>
  text.length === 0 ? 0 : Math.max(1, Math.round(text.length / 4));

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
 * Tokens and cost come from the provider's own usage figures only; a response without them (a
 * failure, a server that ignores include_usage) counts zero rather than a guess a bill could differ from.
 */
export function modelMetrics(model: ModelInfo, usage: Usage | undefined, t: ModelTimings): ModelMetrics {
  const counted: Usage = usage ?? { inputTokens: 0, outputTokens: 0 };
  const responseTimeMs = (t.lastTokenAt ?? t.endedAt) - t.startedAt;
  const timeToFirstTokenMs = t.firstTokenAt === undefined ? null : t.firstTokenAt - t.startedAt;
  return {
    inputTokens: counted.inputTokens,
    outputTokens: counted.outputTokens,
    cachedInputTokens: counted.cachedInputTokens ?? 0,
    cost: model.pricing ? computeCost(counted, model.pricing) : 0,
    responseTimeMs,
    timeToFirstTokenMs,
    tokensPerSecond: tokensPerSecond(counted.outputTokens, responseTimeMs, timeToFirstTokenMs),
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
