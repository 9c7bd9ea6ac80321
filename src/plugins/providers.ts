// The providers plugin: one SDK client per configured provider per app, and the models they make available.
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { createAnthropicProvider } from '../providers/anthropic.js';
import { catalog } from '../providers/catalog.js';
import { createDemoProvider, type DemoProviderOptions } from '../providers/demo.js';
import { createOpenAIProvider } from '../providers/openai.js';
import type { ModelInfo, Provider, ProviderId } from '../providers/types.js';

export interface ProvidersOptions {
  /** Pacing of the demo models (tests speed them up). */
  demo?: DemoProviderOptions;
}

/** Builds the registry from the configuration; every client lives as long as the registry does. */
export function createProviderRegistry(config: Config['providers'], options: ProvidersOptions = {}) {
  const providers = new Map<ProviderId, Provider>();
  const { idleTimeoutMs } = config;
  if (config.openai) providers.set('openai', createOpenAIProvider({ ...config.openai, idleTimeoutMs }));
  if (config.anthropic)
    providers.set('anthropic', createAnthropicProvider({ ...config.anthropic, idleTimeoutMs }));
  if (config.demo) providers.set('demo', createDemoProvider(options.demo));

  const available = catalog.filter((m) => providers.has(m.provider));
  const byId = new Map(available.map((m) => [m.id, m]));

  return {
    /** The models whose provider is configured, in catalogue order. */
    available: (): ModelInfo[] => [...available],
    /** An available model by id; undefined for an unknown id or an unconfigured provider. */
    get: (modelId: string): ModelInfo | undefined => byId.get(modelId),
    /** The adapter that streams this model; throws for a model whose provider is not configured. */
    providerFor(model: ModelInfo): Provider {
      const provider = providers.get(model.provider);
      if (!provider) throw new Error(`Provider ${model.provider} is not configured`);
      return provider;
    },
    /** The configured providers: openai and anthropic with a key, demo when DEMO_MODELS is on. */
    configured: (): ProviderId[] => [...providers.keys()],
  };
}

export type ProviderRegistry = ReturnType<typeof createProviderRegistry>;

declare module 'fastify' {
  interface FastifyInstance {
    providers: ProviderRegistry;
  }
}

export default fp<ProvidersOptions>(
  async (app, opts) => {
    app.decorate('providers', createProviderRegistry(app.config.providers, opts));
  },
  { name: 'providers' },
);
