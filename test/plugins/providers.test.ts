// The providers plugin: which models are available for which configuration, and per-app isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProviderRegistry } from '../../src/plugins/providers.js';
import { catalog } from '../../src/providers/catalog.js';
import { buildTestApp, testConfig } from '../helper.js';
import { collect, generateRequest } from '../support/collect.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';

const registry = (env: Record<string, string | undefined>) =>
  createProviderRegistry(testConfig(env).providers);
const providersOf = (models: { provider: string }[]) => [...new Set(models.map((m) => m.provider))];

describe('provider registry availability', () => {
  it('offers only the demo models without keys (demo on by default outside production)', () => {
    const r = registry({});
    expect(r.configured()).toEqual(['demo']);
    expect(r.available().map((m) => m.id)).toEqual(['demo-fast', 'demo-slow']);
    expect(r.get('demo-fast')?.name).toBe('Demo Fast (simulated)');
    expect(r.get('gpt-4o')).toBeUndefined();
    expect(r.get('no-such-model')).toBeUndefined();
  });

  it('adds a provider’s models when its key is set', () => {
    const openai = registry({ OPENAI_API_KEY: 'sk-test' });
    expect(openai.configured()).toEqual(['openai', 'demo']);
    expect(providersOf(openai.available())).toEqual(['openai', 'demo']);
    expect(openai.get('gpt-4o')?.upstreamModel).toBe('gpt-4o');
    expect(openai.get('claude-haiku-4-5')).toBeUndefined();

    const both = registry({
      OPENAI_API_KEY: 'sk-test',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      DEMO_MODELS: 'false',
    });
    expect(both.configured()).toEqual(['openai', 'anthropic']);
    expect(both.available()).toHaveLength(catalog.filter((m) => m.provider !== 'demo').length);
  });

  it('turns the demo models off with DEMO_MODELS=false, and by default in production', () => {
    expect(registry({ DEMO_MODELS: 'false' }).available()).toEqual([]);
    expect(registry({ NODE_ENV: 'production' }).configured()).toEqual([]);
    expect(registry({ NODE_ENV: 'production', DEMO_MODELS: 'true' }).configured()).toEqual(['demo']);
  });

  it('hands out the adapter of a model’s provider, and refuses an unconfigured one', () => {
    const r = registry({ ANTHROPIC_API_KEY: 'sk-ant-test' });
    const haiku = r.get('claude-haiku-4-5');
    expect(haiku && r.providerFor(haiku).id).toBe('anthropic');
    const gpt = catalog.find((m) => m.id === 'gpt-4o');
    expect(() => gpt && r.providerFor(gpt)).toThrow(/openai is not configured/);
  });

  it('shares nothing between two registries', () => {
    const a = registry({ OPENAI_API_KEY: 'sk-a' });
    const b = registry({ OPENAI_API_KEY: 'sk-b' });
    const model = a.get('gpt-4o');
    expect(model && a.providerFor(model)).not.toBe(model && b.providerFor(model));
    a.available().pop();
    expect(a.available()).toHaveLength(b.available().length);
  });
});

describe('providers plugin in the app', () => {
  let server: ProviderServer;
  beforeAll(async () => {
    server = await startProviderServer();
  });
  afterAll(() => server.close());

  it('points the SDK clients at OPENAI_BASE_URL / ANTHROPIC_BASE_URL with the configured keys', async () => {
    const app = await buildTestApp({
      OPENAI_API_KEY: 'sk-openai-app',
      OPENAI_BASE_URL: server.openaiBaseURL,
      ANTHROPIC_API_KEY: 'sk-ant-app',
      ANTHROPIC_BASE_URL: server.anthropicBaseURL,
    });
    try {
      for (const id of ['gpt-4o-mini', 'claude-haiku-4-5']) {
        const model = app.providers.get(id);
        if (!model) throw new Error(`${id} should be available`);
        const result = await collect(app.providers.providerFor(model).stream(generateRequest(id)));
        expect(result.text).toContain(model.upstreamModel);
      }
      expect(server.requests.map((r) => r.wire)).toEqual(['openai', 'anthropic']);
    } finally {
      await app.close();
    }
  });

  it('reports the configured providers on /health', async () => {
    const app = await buildTestApp({ ANTHROPIC_API_KEY: 'sk-ant-app' });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      expect(res.json().providers).toEqual({ configured: ['anthropic', 'demo'] });
    } finally {
      await app.close();
    }
  });
});
