// Model discovery for one file endpoint: GET {baseURL}/models at start and on a timer, last good list kept.
import type { FileEndpoint } from './models-file.js';
import { endpointModel } from './models-file.js';
import { upstreamErrorText } from './openai-compat/error-body.js';
import { parseModelList } from './openai-compat/model-list.js';
import { safeUpstreamMessage } from './safe-message.js';
import type { Fetch, ModelInfo } from './types.js';

/** What GET /health says about one endpoint of the models file. */
export interface EndpointHealth {
  id: string;
  name: string;
  /** Whether the last model list request succeeded; null when the endpoint does not discover (never asked). */
  reachable: boolean | null;
  /** How many models the endpoint offers now, declared and discovered. */
  models: number;
  lastError: string | null;
  /** When the model list was last read successfully (ISO 8601), or null. */
  lastRefreshAt: string | null;
}

export interface DiscoveryLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DiscoveryOptions {
  source: FileEndpoint;
  refreshMs: number;
  /** Longest wait for one model list. */
  timeoutMs?: number;
  fetch?: Fetch;
  log?: DiscoveryLogger;
}

/** An endpoint's models now, refreshed in the background; `close()` stops the timer and any request. */
export function createDiscovery(options: DiscoveryOptions) {
  const { source, refreshMs, timeoutMs = 10_000, log } = options;
  const { endpoint, declared } = source;
  const doFetch = options.fetch ?? globalThis.fetch;
  const declaredNames = new Set(declared.map((m) => m.upstreamModel));
  const closing = new AbortController();
  let models: readonly ModelInfo[] = source.unavailable ? [] : declared;
  let reachable: boolean | null = source.unavailable ? false : source.discover ? false : null;
  let lastError: string | null = source.unavailable ?? (source.discover ? 'not listed yet' : null);
  let lastRefreshAt: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const describeFailure = (err: unknown): string => {
    if (err instanceof Error && err.name === 'TimeoutError')
      return `GET /models did not answer within ${timeoutMs / 1000} s`;
    // fetch's TypeError says only "fetch failed"; its cause has the code (ECONNREFUSED) or the reason.
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
    const why = cause ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined;
    return `GET /models failed: could not connect${why ? ` (${why})` : ''}`;
  };

  async function list(): Promise<void> {
    const headers: Record<string, string> = { accept: 'application/json', ...endpoint.headers };
    if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
    const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]);
    const response = await doFetch(`${endpoint.baseURL}/models`, { headers, signal, redirect: 'error' });
    const text = await response.text();
    if (!response.ok) {
      const words = safeUpstreamMessage(upstreamErrorText(text), [endpoint.apiKey ?? '']);
      throw new Error(`GET /models answered ${response.status}${words ? `: ${words}` : ''}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const listed = parseModelList(body);
    if (!listed) throw new Error('GET /models answered with something that is not a model list');
    const today = new Date().toISOString().slice(0, 10);
    const discovered = listed
      // Declared models override discovered ones of the same upstream name.
      .filter((m) => !declaredNames.has(m.id))
      .map((m) =>
        endpointModel(endpoint.id, {
          upstream: m.id,
          name: m.name,
          contextWindow: m.contextWindow,
          pricing: m.pricing ?? null,
          priceSource: m.pricing ? `${endpoint.name} model list` : undefined,
          priceAsOf: m.pricing ? today : null,
        }),
      );
    models = declared.length ? [...declared, ...discovered] : discovered;
  }

  async function refresh(): Promise<void> {
    try {
      await list();
      if (reachable === false && lastRefreshAt)
        log?.info({ endpoint: endpoint.id }, `${endpoint.name} answers again`);
      reachable = true;
      lastError = null;
      lastRefreshAt = new Date().toISOString();
    } catch (err) {
      if (closing.signal.aborted) return;
      // The last good list stays: a server that is briefly down keeps its models.
      reachable = false;
      lastError =
        err instanceof Error && err.message.startsWith('GET /models') ? err.message : describeFailure(err);
      log?.warn({ endpoint: endpoint.id, error: lastError }, `Could not list the models of ${endpoint.name}`);
    }
  }

  /** One refresh at a time: a slow server never piles up requests. */
  const refreshOnce = () => {
    inFlight ??= refresh().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    endpoint,
    /** The same array until a refresh changes it, so the registry's snapshot stays cached. */
    models: (): readonly ModelInfo[] => models,
    health: (): EndpointHealth => ({
      id: endpoint.id,
      name: endpoint.name,
      reachable,
      models: models.length,
      lastError,
      lastRefreshAt,
    }),
    /** Lists the models once and starts the timer; resolves after the first list (success or not). */
    start(): Promise<void> {
      if (source.unavailable || !source.discover || timer || closing.signal.aborted) return Promise.resolve();
      timer = setInterval(refreshOnce, refreshMs);
      // Never what keeps the process alive: close() clears it anyway.
      timer.unref();
      return refreshOnce();
    },
    close(): void {
      clearInterval(timer);
      closing.abort();
    },
  };
}

export type Discovery = ReturnType<typeof createDiscovery>;
