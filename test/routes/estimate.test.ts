// POST /comparison/estimate and GET /me/usage through inject, with real signed tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenCounter } from '../../src/providers/token-count.js';
import { buildTestApp } from '../helper.js';
import { authHeaders } from '../support/tokens.js';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;
let app: TestApp;
beforeAll(async () => {
  // A key makes the OpenAI models available; an estimate never calls the provider.
  app = await buildTestApp({ OPENAI_API_KEY: 'sk-test-never-used', BUDGET_USD_PER_DAY: '2.5' });
});
afterAll(() => app.close());

const estimate = (payload: unknown, headers: Record<string, string> = authHeaders('estimator')) =>
  app.inject({ method: 'POST', url: '/comparison/estimate', headers, payload: payload as object });

describe('POST /comparison/estimate', () => {
  it('needs a bearer token', async () => {
    const res = await estimate({ prompt: 'hi' }, {});
    expect(res.statusCode).toBe(401);
  });

  it("counts the prompt's tokens with the documented overhead and prices min and max per model", async () => {
    const body = {
      prompt: 'Write a haiku about <|endoftext|>.',
      system: 'Be brief.',
      modelIds: ['gpt-4o', 'demo-fast'],
      maxTokens: 300,
    };
    const res = await estimate(body);
    expect(res.statusCode).toBe(200);
    const counter = await loadTokenCounter();
    const inputTokens = counter.countMessageTokens([
      { role: 'system', content: body.system },
      { role: 'user', content: body.prompt },
    ]);
    const min = Math.round(inputTokens * 2.5) / 1e6;
    const max = Math.round((inputTokens * 2.5 + 300 * 10) * 1000) / 1e9;
    expect(res.json()).toEqual({
      models: [
        {
          modelId: 'gpt-4o',
          inputTokens,
          inputTokensMethod: 'tokenizer',
          maxOutputTokens: 300,
          minCost: min,
          maxCost: max,
          costSource: 'estimated',
        },
        {
          modelId: 'demo-fast',
          inputTokens,
          inputTokensMethod: 'estimate',
          maxOutputTokens: 300,
          minCost: 0,
          maxCost: 0,
          costSource: 'free',
        },
      ],
      totals: { minCost: min, maxCost: max },
    });
  });

  it('estimates the default models when the body names none', async () => {
    const res = await estimate({ prompt: 'hello' });
    expect(res.statusCode).toBe(200);
    expect(res.json().models.map((m: { modelId: string }) => m.modelId)).toEqual([
      'gpt-4o-mini',
      'gpt-4.1-mini',
    ]);
  });

  it('answers 400 with the envelope for an unknown or unavailable model, and for a bad body', async () => {
    const unknown = await estimate({ prompt: 'hi', modelIds: ['no-such-model'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ statusCode: 400, message: 'Unknown model: no-such-model' });
    const unavailable = await estimate({ prompt: 'hi', modelIds: ['claude-haiku-4-5'] });
    expect(unavailable.json().message).toMatch(/not available on this server/);
    expect((await estimate({ prompt: '' })).statusCode).toBe(400);
  });
});

describe('GET /me/usage', () => {
  it("reports the user's day and month against the budget, and this month by model", async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/me/usage' });
    expect(anonymous.statusCode).toBe(401);

    const now = new Date();
    await app.budgets.reserve('spender', [{ responseId: 'u1', modelId: 'gpt-4o', maxCost: 1 }], now);
    await app.budgets.reserve('spender', [{ responseId: 'u2', modelId: 'gpt-4o', maxCost: 0.5 }], now);
    await app.budgets.settle('u1', { cost: 0.25, inputTokens: 40, outputTokens: 60 }, now);

    const res = await app.inject({ method: 'GET', url: '/me/usage', headers: authHeaders('spender') });
    expect(res.statusCode).toBe(200);
    const usage = res.json();
    expect(usage.day).toMatchObject({ spent: 0.25, reserved: 0.5, limit: 2.5, remaining: 1.75 });
    expect(new Date(usage.day.resetsAt).getTime()).toBeGreaterThan(now.getTime());
    expect(usage.month).toMatchObject({ spent: 0.25, reserved: 0.5, limit: null, remaining: null });
    expect(usage.byModel).toEqual([
      { modelId: 'gpt-4o', responses: 2, inputTokens: 40, outputTokens: 60, cost: 0.25 },
    ]);

    const other = await app.inject({ method: 'GET', url: '/me/usage', headers: authHeaders('someone-else') });
    expect(other.json()).toMatchObject({ day: { spent: 0, reserved: 0, remaining: 2.5 }, byModel: [] });
  });
});
