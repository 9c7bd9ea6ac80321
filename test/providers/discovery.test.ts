// Discovery of an endpoint's models: at start, on a timer, the last good list kept, declared models first.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDiscovery, type Discovery } from '../../src/providers/discovery.js';
import { endpointModel, type FileEndpoint } from '../../src/providers/models-file.js';
import { type CompatServer, json, startCompatServer } from '../support/compat-server.js';

let server: CompatServer;
let discovery: Discovery | undefined;
beforeAll(async () => {
  server = await startCompatServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(() => discovery?.close());

const source = (extra: Partial<FileEndpoint> = {}): FileEndpoint => ({
  endpoint: {
    id: 'box',
    name: 'Box',
    wire: 'openai-chat',
    baseURL: server.baseURL,
    apiKey: 'sk-box-secret-key-000',
  },
  discover: true,
  declared: [endpointModel('box', { upstream: 'llama3.2', name: 'Llama (declared)', contextWindow: 128000 })],
  ...extra,
});
const list = (...ids: string[]) =>
  json(200, { object: 'list', data: ids.map((id) => ({ id, object: 'model' })) });

describe('model discovery', () => {
  it('lists at start, declared models override discovered ones, odd ids are kept as they are', async () => {
    const odd = ['llama3.2', 'qwen3:4b', 'hf.co/org/Model Name:Q4_K_M', 'x'.repeat(300)];
    server.models(list(...odd));
    discovery = createDiscovery({ source: source(), refreshMs: 60_000 });
    await discovery.start();
    const ids = discovery.models().map((m) => m.id);
    expect(ids).toEqual(odd.map((id) => `box/${id}`));
    expect(discovery.models()[0]?.name).toBe('Llama (declared)');
    expect(discovery.models()[1]).toMatchObject({ name: 'qwen3:4b', pricing: null, priceAsOf: null });
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-box-secret-key-000');
    expect(discovery.health()).toMatchObject({ id: 'box', reachable: true, models: 4, lastError: null });
    expect(discovery.health().lastRefreshAt).toEqual(expect.any(String));
  });

  it('keeps the last good list when a refresh fails, and says why in health', async () => {
    server.models(list('a', 'b'));
    discovery = createDiscovery({ source: source(), refreshMs: 50 });
    await discovery.start();
    server.models({
      status: 502,
      type: 'text/html',
      body: '<title>502 Bad Gateway for sk-box-secret-key-000</title>',
    });
    await expect.poll(() => discovery?.health().reachable, { timeout: 2000 }).toBe(false);
    expect(discovery.models().map((m) => m.upstreamModel)).toEqual(['llama3.2', 'a', 'b']);
    expect(discovery.health().lastError).toBe('GET /models answered 502: 502 Bad Gateway for [redacted]');
    server.models(list('c'));
    await expect
      .poll(() => discovery?.models().map((m) => m.upstreamModel), { timeout: 2000 })
      .toEqual(['llama3.2', 'c']);
    expect(discovery.health()).toMatchObject({ reachable: true, lastError: null });
  });

  it('a down endpoint offers only its declared models and reports the connection failure', async () => {
    const down = source();
    const closed = await startCompatServer();
    await closed.close();
    down.endpoint = { ...down.endpoint, baseURL: closed.baseURL };
    discovery = createDiscovery({ source: down, refreshMs: 60_000 });
    await discovery.start();
    expect(discovery.models().map((m) => m.id)).toEqual(['box/llama3.2']);
    expect(discovery.health()).toMatchObject({
      reachable: false,
      lastError: 'GET /models failed: could not connect (ECONNREFUSED)',
      lastRefreshAt: null,
    });
  });

  it('a server that never answers the list times out without holding anything up', async () => {
    server.models({ hang: true });
    discovery = createDiscovery({ source: source(), refreshMs: 60_000, timeoutMs: 200 });
    await discovery.start();
    expect(discovery.health().lastError).toBe('GET /models did not answer within 0.2 s');
  });

  it('an endpoint without discover and one with a missing key never send a request', async () => {
    const quiet = createDiscovery({ source: source({ discover: false }), refreshMs: 10 });
    const keyless = createDiscovery({
      source: source({ unavailable: 'the environment variable K is not set' }),
      refreshMs: 10,
    });
    await Promise.all([quiet.start(), keyless.start()]);
    expect(quiet.health()).toMatchObject({ reachable: null, models: 1, lastError: null });
    expect(keyless.health()).toMatchObject({
      reachable: false,
      models: 0,
      lastError: 'the environment variable K is not set',
    });
    quiet.close();
    keyless.close();
    expect(server.requests).toHaveLength(0);
  });

  it('close() stops the timer: no request after it', async () => {
    server.models(list('a'));
    discovery = createDiscovery({ source: source(), refreshMs: 30 });
    await discovery.start();
    discovery.close();
    const seen = server.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(server.requests).toHaveLength(seen);
  });
});
