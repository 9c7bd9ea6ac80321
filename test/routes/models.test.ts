// GET /comparison/models/available: the contract's Model shape, only for configured providers.
import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';

async function availableModels(env: Record<string, string | undefined>) {
  const app = await buildTestApp(env);
  try {
    const anonymous = await app.inject({ method: 'GET', url: '/comparison/models/available' });
    expect(anonymous.statusCode).toBe(401);
    const token = app.jwt.sign({ sub: 'models-user' });
    const res = await app.inject({
      method: 'GET',
      url: '/comparison/models/available',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as Array<Record<string, unknown> & { id: string; provider: string }>;
  } finally {
    await app.close();
  }
}

describe('GET /comparison/models/available', () => {
  it('lists the demo models, clearly simulated and free, when no key is set', async () => {
    const models = await availableModels({});
    expect(models.map((m) => m.id)).toEqual(['demo-fast', 'demo-slow']);
    expect(models[0]).toEqual({
      id: 'demo-fast',
      provider: 'demo',
      name: 'Demo Fast (simulated)',
      endpoint: { id: 'demo', name: 'Demo (simulated)' },
      pricing: { inputPerMillion: 0, outputPerMillion: 0 },
      priceSource: expect.stringMatching(/simulated/i),
      priceAsOf: null,
      contextWindow: 32_000,
      defaultMaxTokens: 1024,
      acceptsTemperature: true,
      simulated: true,
    });
  });

  it('adds the models of each provider with a key, with prices per million tokens', async () => {
    const models = await availableModels({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test' });
    const gpt4o = models.find((m) => m.id === 'gpt-4o');
    expect(gpt4o).toMatchObject({
      provider: 'openai',
      name: 'GPT-4o',
      pricing: { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
      simulated: false,
    });
    expect(models.find((m) => m.id === 'claude-3-haiku-20240307')).toMatchObject({
      provider: 'anthropic',
      pricing: { inputPerMillion: 0.25, outputPerMillion: 1.25 },
    });
    expect(new Set(models.map((m) => m.provider))).toEqual(new Set(['openai', 'anthropic', 'demo']));
    // Upstream names and keys stay on the server.
    expect(JSON.stringify(models)).not.toMatch(/upstreamModel|sk-test/);
  });

  it('lists nothing when no provider is configured', async () => {
    expect(await availableModels({ DEMO_MODELS: 'false' })).toEqual([]);
  });
});
