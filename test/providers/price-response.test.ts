// priceResponse against the usage the real adapters read from the loopback servers' wire formats.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicUsage, createAnthropicProvider } from '../../src/providers/anthropic.js';
import { priceResponse } from '../../src/providers/cost.js';
import { createOpenAIProvider, openAIUsage } from '../../src/providers/openai.js';
import { loadTokenCounter } from '../../src/providers/token-count.js';
import type { ModelInfo } from '../../src/providers/types.js';
import { catalogModel, collect, generateRequest } from '../support/collect.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';

let server: ProviderServer;
beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const openai = () =>
  createOpenAIProvider({
    endpoint: {
      id: 'openai',
      name: 'OpenAI',
      wire: 'openai-chat',
      apiKey: 'sk-test',
      baseURL: server.openaiBaseURL,
    },
    idleTimeoutMs: 5000,
  });
const anthropic = () =>
  createAnthropicProvider({
    endpoint: {
      id: 'anthropic',
      name: 'Anthropic',
      wire: 'anthropic-messages',
      apiKey: 'sk-ant-test',
      baseURL: server.anthropicBaseURL,
    },
    idleTimeoutMs: 5000,
  });

/** A model of an operator's endpoint with no known price. */
const unpriced: ModelInfo = {
  ...catalogModel('gpt-4o-mini'),
  id: 'ollama/llama',
  pricing: null,
  priceAsOf: null,
};

describe('priceResponse: OpenAI usage', () => {
  it('bills cached_tokens once, at the cached price (they are part of prompt_tokens)', async () => {
    server.script({ text: 'Hi', usage: { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 400 } });
    const { usage } = await collect(openai().stream(generateRequest('gpt-4o')));
    const priced = priceResponse({ model: catalogModel('gpt-4o'), usage: usage ?? null });
    // 600 x 2.50 + 400 x 1.25 + 100 x 10, per million
    expect(priced).toMatchObject({
      cost: 0.003,
      costSource: 'computed',
      usageSource: 'provider',
      inputTokens: 1000,
      outputTokens: 100,
      cachedInputTokens: 400,
      reasoningTokens: 0,
      computedCost: 0.003,
      stalePrice: false,
    });
    expect(priced.price).toEqual({
      inputPerMillion: 2.5,
      outputPerMillion: 10,
      cachedInputPerMillion: 1.25,
      cacheWriteInputPerMillion: null,
      source: catalogModel('gpt-4o').priceSource,
      asOf: catalogModel('gpt-4o').priceAsOf,
    });
  });

  it('does not add reasoning tokens to the output again: they are inside completion_tokens', () => {
    const usage = openAIUsage({
      prompt_tokens: 50,
      completion_tokens: 1200,
      total_tokens: 1250,
      completion_tokens_details: { reasoning_tokens: 1000 },
    });
    const priced = priceResponse({ model: catalogModel('gpt-5-mini'), usage });
    // 50 x 0.25 + 1200 x 2, per million
    expect(priced).toMatchObject({ cost: 0.0024125, reasoningTokens: 1000, outputTokens: 1200 });
  });

  it('prices a stream that ended without usage from the tokens counted here', async () => {
    server.script({ text: 'Counted here, since no usage came.', usage: null });
    const request = generateRequest('gpt-4o-mini', { prompt: 'Count me' });
    const { usage, text } = await collect(openai().stream(request));
    expect(usage).toBeUndefined();
    const counter = await loadTokenCounter();
    const estimated = {
      inputTokens: counter.countMessageTokens(request.messages),
      outputTokens: counter.countTextTokens(text),
    };
    const priced = priceResponse({ model: catalogModel('gpt-4o-mini'), usage: null, estimated });
    expect(priced).toMatchObject({
      costSource: 'estimated',
      usageSource: 'estimated',
      inputTokens: estimated.inputTokens,
      outputTokens: estimated.outputTokens,
      reasoningTokens: null,
    });
    expect(priced.cost).toBe(
      Math.round(((estimated.inputTokens * 0.15 + estimated.outputTokens * 0.6) / 1e6) * 1e9) / 1e9,
    );
    expect(priced.cost).toBeGreaterThan(0);
  });

  it('prices a cancelled stream from the text streamed before the cancel', async () => {
    server.script({ deltas: 50, intervalMs: 20 });
    const controller = new AbortController();
    const request = generateRequest('gpt-4o', { signal: controller.signal });
    const result = await collect(openai().stream(request), () => controller.abort());
    expect(result.error?.kind).toBe('cancelled');
    const counter = await loadTokenCounter();
    const priced = priceResponse({
      model: catalogModel('gpt-4o'),
      usage: null,
      estimated: {
        inputTokens: counter.countMessageTokens(request.messages),
        outputTokens: counter.countTextTokens(result.text),
      },
    });
    expect(priced.costSource).toBe('estimated');
    expect(priced.outputTokens).toBeGreaterThan(0);
    expect(priced.cost).toBeGreaterThan(0);
  });

  it('says usageSource none and cost null when nothing was reported or counted', () => {
    expect(priceResponse({ model: catalogModel('gpt-4o'), usage: null })).toMatchObject({
      cost: null,
      costSource: 'unknown',
      usageSource: 'none',
      inputTokens: 0,
      outputTokens: 0,
    });
  });
});

describe('priceResponse: Anthropic usage', () => {
  it('bills cache reads at 0.1x and cache writes at 1.25x, each token once', async () => {
    server.script({
      text: 'Cached',
      usage: { inputTokens: 500, outputTokens: 100, cachedInputTokens: 200, cacheWriteInputTokens: 300 },
    });
    const { usage } = await collect(anthropic().stream(generateRequest('claude-haiku-4-5')));
    const priced = priceResponse({ model: catalogModel('claude-haiku-4-5'), usage: usage ?? null });
    // Anthropic's input_tokens (500) exclude the cache: 500 x 1 + 200 x 0.10 + 300 x 1.25 + 100 x 5
    expect(priced).toMatchObject({
      inputTokens: 1000,
      cachedInputTokens: 200,
      cacheWriteInputTokens: 300,
      cost: 0.001395,
      costSource: 'computed',
    });
    expect(priced.price?.cacheWriteInputPerMillion).toBe(1.25);
  });

  it('bills 1-hour cache writes at 2x input when the usage splits them by lifetime', () => {
    const usage = anthropicUsage({
      input_tokens: 100,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 1000,
      cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
      output_tokens: 10,
    });
    const priced = priceResponse({ model: catalogModel('claude-haiku-4-5'), usage });
    // 100 x 1 + 400 x 1.25 + 600 x 2 + 10 x 5, per million
    expect(priced.cost).toBe(0.00185);
  });
});

describe('priceResponse: prices and provider charges', () => {
  it('gives cost null, never 0, for a model with no price', () => {
    const priced = priceResponse({ model: unpriced, usage: { inputTokens: 10, outputTokens: 20 } });
    expect(priced).toMatchObject({
      cost: null,
      costSource: 'unknown',
      usageSource: 'provider',
      price: null,
      computedCost: null,
    });
  });

  it('says free for a zero price', () => {
    const priced = priceResponse({
      model: catalogModel('demo-fast'),
      usage: { inputTokens: 9, outputTokens: 9 },
    });
    expect(priced).toMatchObject({ cost: 0, costSource: 'free' });
  });

  it("takes the provider's own charge, keeps ours beside it and flags a difference past 5%", () => {
    const model = catalogModel('gpt-4o');
    const usage = { inputTokens: 1000, outputTokens: 500 }; // ours: 0.0075
    expect(priceResponse({ model, usage: { ...usage, providerCost: 0.0074 } })).toMatchObject({
      cost: 0.0074,
      costSource: 'provider',
      computedCost: 0.0075,
      stalePrice: false,
    });
    expect(priceResponse({ model, usage: { ...usage, providerCost: 0.006 } })).toMatchObject({
      cost: 0.006,
      costSource: 'provider',
      computedCost: 0.0075,
      stalePrice: true,
    });
  });

  it('takes a provider charge for a model we have no price for', () => {
    const priced = priceResponse({
      model: unpriced,
      usage: { inputTokens: 10, outputTokens: 20, providerCost: 0.01 },
    });
    expect(priced).toMatchObject({
      cost: 0.01,
      costSource: 'provider',
      computedCost: null,
      stalePrice: false,
    });
  });
});
