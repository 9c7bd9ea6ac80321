// Metrics a user reads: where a cost comes from, whether a total is complete, and generation speed.
import { describe, expect, it } from 'vitest';
import { modelMetrics, sessionMetrics, tokensPerSecond } from '../../src/services/metrics.js';
import { testModel } from '../support/scripted-provider.js';

const timings = { startedAt: 1000, firstTokenAt: 1200, lastTokenAt: 2200, endedAt: 2300 };
const priced = testModel('priced', { pricing: { inputPerMillion: 1, outputPerMillion: 2 } });
const free = testModel('free', { pricing: { inputPerMillion: 0, outputPerMillion: 0 } });
const unpriced = testModel('unpriced', { pricing: undefined });

describe('modelMetrics', () => {
  it('computes the cost from usage and the price, and keeps the price it used', () => {
    const m = modelMetrics(priced, { inputTokens: 1000, outputTokens: 500 }, timings, 'stop');
    expect(m).toMatchObject({
      cost: 0.002,
      costSource: 'computed',
      usageSource: 'provider',
      inputTokens: 1000,
      outputTokens: 500,
      finishReason: 'stop',
      price: { inputPerMillion: 1, outputPerMillion: 2, source: 'test', asOf: '2026-01-01' },
    });
  });

  it('takes the cost the provider reported over our own arithmetic', () => {
    const m = modelMetrics(
      priced,
      { inputTokens: 1000, outputTokens: 500, providerCost: 0.5 },
      timings,
      'stop',
    );
    expect(m).toMatchObject({ cost: 0.5, costSource: 'provider' });
  });

  it('a free model costs 0, usage or not', () => {
    expect(modelMetrics(free, null, timings, null)).toMatchObject({
      cost: 0,
      costSource: 'free',
      usageSource: 'none',
    });
    expect(modelMetrics(free, { inputTokens: 9, outputTokens: 9 }, timings, 'stop')).toMatchObject({
      cost: 0,
      costSource: 'free',
    });
  });

  it('an unknown price or missing usage gives an unknown cost: null, never 0', () => {
    expect(modelMetrics(unpriced, { inputTokens: 10, outputTokens: 10 }, timings, 'stop')).toMatchObject({
      cost: null,
      costSource: 'unknown',
      price: null,
    });
    expect(modelMetrics(priced, null, timings, null)).toMatchObject({
      cost: null,
      costSource: 'unknown',
      usageSource: 'none',
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  it('times from the start: to the first token, to the first reasoning, to the last token', () => {
    const m = modelMetrics(
      priced,
      { inputTokens: 1, outputTokens: 100 },
      { ...timings, firstReasoningAt: 1100 },
      'length',
    );
    expect(m).toMatchObject({
      responseTimeMs: 1200,
      timeToFirstTokenMs: 200,
      timeToFirstReasoningMs: 100,
      tokensPerSecond: 100,
      finishReason: 'length',
    });
    // A model that never sent text: the response time runs to its end, nothing to measure speed by.
    const silent = modelMetrics(priced, null, { startedAt: 0, endedAt: 50 }, null);
    expect(silent).toMatchObject({ responseTimeMs: 50, timeToFirstTokenMs: null, tokensPerSecond: null });
  });
});

describe('tokensPerSecond', () => {
  it('counts the generation time from the first token to the last, to a tenth', () => {
    expect(tokensPerSecond(100, 1200, 200)).toBe(100);
    expect(tokensPerSecond(10, 3200, 200)).toBe(3.3);
  });

  it('falls back to the whole response time when the first token came last', () => {
    expect(tokensPerSecond(50, 500, 500)).toBe(100);
    expect(tokensPerSecond(50, 500, null)).toBe(100);
  });

  it('is unknown without tokens or without a time', () => {
    expect(tokensPerSecond(0, 1000, 100)).toBeNull();
    expect(tokensPerSecond(10, null, 100)).toBeNull();
    expect(tokensPerSecond(10, 0, null)).toBeNull();
  });
});

describe('sessionMetrics', () => {
  const response = (
    over: Partial<{
      status: string;
      inputTokens: number;
      outputTokens: number;
      cost: number | null;
      responseTimeMs: number | null;
    }>,
  ) => ({
    status: 'completed',
    inputTokens: 10,
    outputTokens: 5,
    cost: 0.1,
    responseTimeMs: 100,
    ...over,
  });

  it('totals tokens and cost without float dust, averaging the time of completed responses only', () => {
    const m = sessionMetrics([
      response({ cost: 0.1, responseTimeMs: 100 }),
      response({ cost: 0.2, responseTimeMs: 301 }),
      response({ status: 'error', cost: 0.05, responseTimeMs: 5000 }),
    ]);
    expect(m).toEqual({ totalTokens: 45, totalCost: 0.35, averageResponseTime: 201, costComplete: true });
  });

  it('says when the total is a lower bound: one cost unknown makes costComplete false', () => {
    const m = sessionMetrics([response({ cost: 0.1 }), response({ cost: null })]);
    expect(m).toMatchObject({ totalCost: 0.1, costComplete: false });
  });

  it('no responses, or none completed: zeros, and a complete (empty) cost', () => {
    expect(sessionMetrics([])).toEqual({
      totalTokens: 0,
      totalCost: 0,
      averageResponseTime: 0,
      costComplete: true,
    });
    expect(sessionMetrics([response({ status: 'cancelled', responseTimeMs: 10 })]).averageResponseTime).toBe(
      0,
    );
  });
});
