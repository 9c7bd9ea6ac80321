// The estimate before a run: input tokens from the tokenizer, min and max costs from the prices.
import { describe, expect, it } from 'vitest';
import { loadTokenCounter } from '../../src/providers/token-count.js';
import type { ModelInfo } from '../../src/providers/types.js';
import { estimateComparison } from '../../src/services/estimate.js';
import { catalogModel } from '../support/collect.js';

const messages = [
  { role: 'system' as const, content: 'Answer in one line.' },
  { role: 'user' as const, content: 'What is the capital of France?' },
];
const unpriced: ModelInfo = {
  ...catalogModel('gpt-4o-mini'),
  id: 'ollama/llama',
  provider: 'ollama',
  pricing: null,
};

describe('estimateComparison', () => {
  it("prices a cached-price model's input at the normal input price, and the output limit at the output price", async () => {
    const counter = await loadTokenCounter();
    const inputTokens = counter.countMessageTokens(messages);
    const model = catalogModel('gpt-4o'); // input 2.50, cached 1.25, output 10
    const { models, totals } = estimateComparison([model], messages, 200, counter);
    const min = Math.round(((inputTokens * 2.5) / 1e6) * 1e9) / 1e9;
    const max = Math.round(((inputTokens * 2.5 + 200 * 10) / 1e6) * 1e9) / 1e9;
    expect(models).toEqual([
      {
        modelId: 'gpt-4o',
        inputTokens,
        inputTokensMethod: 'tokenizer',
        maxOutputTokens: 200,
        minCost: min,
        maxCost: max,
        costSource: 'estimated',
      },
    ]);
    expect(totals).toEqual({ minCost: min, maxCost: max });
  });

  it("uses the model's default output limit without maxTokens, and labels an Anthropic count an estimate", async () => {
    const counter = await loadTokenCounter();
    const model = catalogModel('claude-haiku-4-5'); // input 1, output 5
    const [row] = estimateComparison([model], messages, undefined, counter).models;
    expect(row).toMatchObject({ maxOutputTokens: model.defaultMaxTokens, inputTokensMethod: 'estimate' });
    expect(row?.maxCost).toBeCloseTo(((row?.inputTokens ?? 0) * 1 + model.defaultMaxTokens * 5) / 1e6, 12);
  });

  it('gives null costs for an unpriced model: totals keep the known minimum and no maximum', async () => {
    const counter = await loadTokenCounter();
    const result = estimateComparison([catalogModel('gpt-4o-mini'), unpriced], messages, 100, counter);
    const [priced, unknown] = result.models;
    expect(unknown).toMatchObject({
      modelId: 'ollama/llama',
      minCost: null,
      maxCost: null,
      costSource: 'unknown',
    });
    expect(result.totals).toEqual({ minCost: priced?.minCost, maxCost: null });
  });

  it('says free for the demo models', async () => {
    const counter = await loadTokenCounter();
    const [row] = estimateComparison([catalogModel('demo-fast')], messages, undefined, counter).models;
    expect(row).toMatchObject({ minCost: 0, maxCost: 0, costSource: 'free' });
  });
});
