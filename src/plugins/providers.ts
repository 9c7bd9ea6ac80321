// The providers plugin: one adapter per configured endpoint per app, and the models they make available.
import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { createAnthropicProvider } from '../providers/anthropic.js';
import { modelsOf } from '../providers/catalog.js';
import { createDemoProvider, type DemoProviderOptions } from '../providers/demo.js';
import { createDiscovery, type Discovery, type EndpointHealth } from '../providers/discovery.js';
import { createOpenAIProvider } from '../providers/openai.js';
import type { ApiProviderOptions, Endpoint, ModelInfo, Provider, WireFormat } from '../providers/types.js';

export interface ProvidersOptions {
  /** Pacing of the demo models (tests speed them up). */
  demo?: DemoProviderOptions;
  /** Longest wait for the file endpoints' first model lists before the app is ready (3 s). */
  discoveryWaitMs?: number;
}

/** An endpoint and the models it offers now (a discovered list may change while the app runs). */
export interface EndpointSource {
  endpoint: Endpoint;
  models(): readonly ModelInfo[];
}

/** A wire format is code: the adapter factory for each. */
export function providerForWire(wire: WireFormat, options: ApiProviderOptions, pacing?: DemoProviderOptions) {
  switch (wire) {
    case 'openai-chat':
      return createOpenAIProvider(options);
    case 'anthropic-messages':
      return createAnthropicProvider(options);
    case 'demo':
      return createDemoProvider(pacing);
  }
}

/** The built-in endpoints, as data: OpenAI and Anthropic with a key, the demo when DEMO_MODELS is on. */
export function builtInSources(config: Config['providers']): EndpointSource[] {
  const sources: EndpointSource[] = [];
  const fixed = (endpoint: Endpoint): EndpointSource => {
    const models = modelsOf(endpoint.id);
    return { endpoint, models: () => models };
  };
  if (config.openai)
    sources.push(fixed({ id: 'openai', name: 'OpenAI', wire: 'openai-chat', ...config.openai }));
  if (config.anthropic)
    sources.push(
      fixed({ id: 'anthropic', name: 'Anthropic', wire: 'anthropic-messages', ...config.anthropic }),
    );
  if (config.demo) sources.push(fixed({ id: 'demo', name: 'Demo (simulated)', wire: 'demo' }));
  return sources;
}

/** The models file's endpoints, each with its discovery (which only lists when the file asks it to). */
export function fileDiscoveries(config: Config['providers'], log?: FastifyBaseLogger): Discovery[] {
  return (config.modelsFile?.endpoints ?? []).map((source) =>
    createDiscovery({ source, refreshMs: config.modelsRefreshSeconds * 1000, log }),
  );
}

/** Builds the registry; every client lives as long as the registry does. */
export function createProviderRegistry(
  config: Config['providers'],
  options: ProvidersOptions = {},
  extra: EndpointSource[] = [],
  log?: FastifyBaseLogger,
) {
  const discoveries = fileDiscoveries(config, log);
  // An endpoint whose key variable is missing is listed in /health but offers nothing.
  const usable = discoveries.filter((_, i) => !config.modelsFile?.endpoints[i]?.unavailable);
  const sources: EndpointSource[] = [...builtInSources(config), ...extra, ...usable];
  const providers = new Map<string, Provider>();
  const endpoints = new Map<string, Endpoint>();
  for (const { endpoint } of sources) {
    endpoints.set(endpoint.id, endpoint);
    providers.set(
      endpoint.id,
      providerForWire(
        endpoint.wire,
        { endpoint, idleTimeoutMs: config.idleTimeoutMs, logger: log },
        options.demo,
      ),
    );
  }

  // Rebuilt only when some endpoint's list changed, so a lookup stays a map read.
  let snapshot:
    | { lists: (readonly ModelInfo[])[]; all: ModelInfo[]; byId: Map<string, ModelInfo> }
    | undefined;
  const current = () => {
    const lists = sources.map((s) => s.models());
    if (!snapshot || lists.some((l, i) => l !== snapshot?.lists[i])) {
      const all = lists.flat();
      snapshot = { lists, all, byId: new Map(all.map((m) => [m.id, m])) };
    }
    return snapshot;
  };

  return {
    /** The models whose endpoint is configured, endpoint by endpoint, in catalogue order. */
    available: (): ModelInfo[] => [...current().all],
    /** An available model by id; undefined for an unknown id or an unconfigured endpoint. */
    get: (modelId: string): ModelInfo | undefined => current().byId.get(modelId),
    /** The endpoint a model belongs to (its id and display name). */
    endpointOf: (model: ModelInfo): Endpoint | undefined => endpoints.get(model.provider),
    /** The adapter that streams this model; throws for a model whose endpoint is not configured. */
    providerFor(model: ModelInfo): Provider {
      const provider = providers.get(model.provider);
      if (!provider) throw new Error(`Provider ${model.provider} is not configured`);
      return provider;
    },
    /** The configured endpoints' ids: openai and anthropic with a key, demo when DEMO_MODELS is on, then the file's. */
    configured: (): string[] => [...providers.keys()],
    /** One entry per endpoint of the models file: reachable, models offered, last error, last refresh. */
    endpointHealth: (): EndpointHealth[] => discoveries.map((d) => d.health()),
    /**
     * Lists the discovering endpoints' models and starts their timers. Resolves when every first list
     * is in, or after `waitMs`, whichever is first: a slow endpoint never holds start-up up for long.
     */
    async start(waitMs = options.discoveryWaitMs ?? 3000): Promise<void> {
      const firstLists = Promise.all(discoveries.map((d) => d.start()));
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        firstLists,
        new Promise<void>((resolve) => (timeout = setTimeout(resolve, waitMs))),
      ]);
      clearTimeout(timeout);
    },
    /** Stops the refresh timers and any model list request in flight. */
    close(): void {
      for (const d of discoveries) d.close();
    },
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
    const registry = createProviderRegistry(app.config.providers, opts, [], app.log);
    for (const warning of app.config.providers.modelsFile?.warnings ?? []) app.log.warn(warning);
    app.decorate('providers', registry);
    app.addHook('onClose', async () => registry.close());
    await registry.start();
  },
  { name: 'providers' },
);
