// The cost formula for every kind of price: plain, cached reads, cache writes, free, and float noise.
import { describe, expect, it } from 'vitest';
import { computeCost } from '../../src/providers/cost.js';
import { catalogModel } from '../support/collect.js';

const pricing = (id: string) => {
  const p = catalogModel(id).pricing;
  if (!p) throw new Error(`${id} has no price`);
  return p;
};

describe('computeCost', () => {
  it('prices input and output tokens per million', () => {
    // 1000 x 2.50 / 1e6 + 500 x 10 / 1e6
    expect(computeCost({ inputTokens: 1000, outputTokens: 500 }, pricing('gpt-4o'))).toBe(0.0075);
    expect(computeCost({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, pricing('gpt-4'))).toBe(90);
  });

  it('prices cached input tokens (part of inputTokens) at the cached price', () => {
    // 600 x 2.50 + 400 x 1.25 + 100 x 10, per million
    expect(
      computeCost({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 100 }, pricing('gpt-4o')),
    ).toBe(0.003);
  });

  it('prices cached tokens at the input price when the model has no cached price', () => {
    expect(
      computeCost({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 0 }, pricing('gpt-4')),
    ).toBe(0.03);
  });

  it('prices Anthropic cache reads and cache writes at their own prices', () => {
    // 500 x 3 + 200 x 0.30 + 300 x 3.75 + 100 x 15, per million
    const usage = {
      inputTokens: 1000,
      cachedInputTokens: 200,
      cacheWriteInputTokens: 300,
      outputTokens: 100,
    };
    expect(computeCost(usage, pricing('claude-sonnet-4-6'))).toBe(0.004185);
  });

  it('costs nothing for the demo models', () => {
    expect(computeCost({ inputTokens: 12_345, outputTokens: 678 }, pricing('demo-fast'))).toBe(0);
  });

  it('rounds to a billionth of a dollar without float noise', () => {
    expect(computeCost({ inputTokens: 1, outputTokens: 1 }, pricing('gpt-4o-mini'))).toBe(0.00000075);
    expect(computeCost({ inputTokens: 3, outputTokens: 0 }, pricing('gpt-5-nano'))).toBe(0.00000015);
    expect(
      computeCost({ inputTokens: 7, outputTokens: 13 }, { inputPerMillion: 0.1, outputPerMillion: 0.2 }),
    ).toBe(0.0000033);
  });

  it('never charges negative uncached input when a provider reports more cached than input', () => {
    expect(computeCost({ inputTokens: 10, cachedInputTokens: 20, outputTokens: 0 }, pricing('gpt-4o'))).toBe(
      0.000025,
    );
  });
});

describe('computeCost: cache lifetimes', () => {
  it('bills 1-hour cache writes at their own price and 5-minute ones at the write price', () => {
    const usage = {
      inputTokens: 1100,
      cacheWriteInputTokens: 1000,
      cacheWrite1hInputTokens: 600,
      outputTokens: 0,
    };
    // 100 x 1 + 400 x 1.25 + 600 x 2, per million
    expect(computeCost(usage, pricing('claude-haiku-4-5'))).toBe(0.0018);
  });
});
