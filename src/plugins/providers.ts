// Stand-in until the providers branch lands: two demo models behind the `app.providers` interface.
import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import { type ModelInfo, type Provider, ProviderError, type ProviderId } from '../providers/types.js';

export interface ProviderRegistry {
  available(): ModelInfo[];
  get(modelId: string): ModelInfo | undefined;
  providerFor(model: ModelInfo): Provider;
  configured(): ProviderId[];
}

declare module 'fastify' {
  interface FastifyInstance {
    providers: ProviderRegistry;
  }
}

const demoModel = (id: string, name: string): ModelInfo => ({
  id,
  provider: 'demo',
  name,
  upstreamModel: id,
  pricing: { inputPerMillion: 0, outputPerMillion: 0 },
  contextWindow: 32_000,
  defaultMaxTokens: 512,
  acceptsTemperature: true,
  priceSource: 'simulated',
});

const demo: Provider = {
  id: 'demo',
  async *stream(req) {
    const words = `Simulated answer from ${req.model.name} to: ${req.prompt}`.split(' ');
    for (const [i, word] of words.entries()) {
      try {
        await sleep(5, undefined, { signal: req.signal });
      } catch {
        throw new ProviderError('cancelled', 'cancelled', 'demo');
      }
      yield { type: 'text', text: i === 0 ? word : ` ${word}` };
    }
    yield { type: 'usage', usage: { inputTokens: req.prompt.length, outputTokens: words.length } };
  },
};

export default fp(
  async (app) => {
    const models = app.config.providers.demo
      ? [demoModel('demo-fast', 'Demo Fast (simulated)'), demoModel('demo-slow', 'Demo Slow (simulated)')]
      : [];
    app.decorate('providers', {
      available: () => models,
      get: (id: string) => models.find((m) => m.id === id),
      providerFor: () => demo,
      configured: () => (models.length > 0 ? ['demo' as const] : []),
    });
  },
  { name: 'providers' },
);
