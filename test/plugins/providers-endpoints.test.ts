// The models file in the app: its endpoints offered and streamed, /health per endpoint, big lists, timers closed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';
import { collect } from '../support/collect.js';
import * as fx from '../support/compat-fixtures.js';
import { type CompatServer, json, startCompatServer } from '../support/compat-server.js';

let server: CompatServer;
let closedURL: string;
let app: Awaited<ReturnType<typeof buildTestApp>> | undefined;
const dir = mkdtempSync(join(tmpdir(), 'endpoints-app-'));

beforeAll(async () => {
  server = await startCompatServer();
  const closed = await startCompatServer();
  closedURL = closed.baseURL;
  await closed.close();
});
afterAll(() => server.close());
beforeEach(() => server.reset());
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function modelsFile(extra = '') {
  const path = join(dir, `models-${Date.now()}-${Math.random()}.yaml`);
  writeFileSync(
    path,
    `endpoints:
  - id: box
    name: Box on the desk
    baseURL: ${server.baseURL}
    discover: true
    models:
      - id: declared-one
        pricing: { inputPerMillion: 0, outputPerMillion: 0 }
  - id: down
    name: Down server
    baseURL: ${closedURL}
    discover: true
  - id: paid
    name: Paid cloud
    baseURL: ${server.baseURL}
    apiKeyEnv: PAID_KEY_FOR_TEST
    models: [{ id: big-model }]
${extra}`,
  );
  return path;
}
const list = (ids: string[]) =>
  json(200, { object: 'list', data: ids.map((id) => ({ id, object: 'model' })) });

async function available() {
  const token = app?.jwt.sign({ sub: 'endpoint-user' });
  const res = await app?.inject({
    url: '/comparison/models/available',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res?.statusCode).toBe(200);
  return res?.json() as Array<{
    id: string;
    provider: string;
    endpoint: { id: string; name: string };
    pricing: unknown;
  }>;
}

describe('endpoints from MODELS_FILE in the app', () => {
  it('offers declared and discovered models, streams them, and /health reports each endpoint without failing', async () => {
    server.models(list(['qwen3:4b', 'declared-one']));
    app = await buildTestApp({ MODELS_FILE: modelsFile() });
    expect(app.providers.configured()).toEqual(['demo', 'box', 'down']);
    expect(app.logs.text()).toContain(
      'endpoints[2] (paid) is unavailable: the environment variable PAID_KEY_FOR_TEST is not set',
    );

    const models = (await available()).filter((m) => m.provider !== 'demo');
    expect(models.map((m) => m.id)).toEqual(['box/declared-one', 'box/qwen3:4b']);
    expect(models[1]).toMatchObject({ endpoint: { id: 'box', name: 'Box on the desk' }, pricing: null });

    const model = app.providers.get('box/qwen3:4b');
    if (!model) throw new Error('box/qwen3:4b should be available');
    server.script({ frames: fx.ollamaReasoningNoUsage });
    const result = await collect(
      app.providers
        .providerFor(model)
        .stream({ model, messages: [{ role: 'user', content: 'Hi' }], signal: new AbortController().signal }),
    );
    expect(result.text).toBe('Hello there!');
    expect(server.chatRequests()[0]?.body.model).toBe('qwen3:4b');

    const health = await app.inject({ url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().endpoints).toEqual([
      {
        id: 'box',
        name: 'Box on the desk',
        reachable: true,
        models: 2,
        lastError: null,
        lastRefreshAt: expect.any(String),
      },
      {
        id: 'down',
        name: 'Down server',
        reachable: false,
        models: 0,
        lastError: 'GET /models failed: could not connect (ECONNREFUSED)',
        lastRefreshAt: null,
      },
      {
        id: 'paid',
        name: 'Paid cloud',
        reachable: false,
        models: 0,
        lastError: 'the environment variable PAID_KEY_FOR_TEST is not set',
        lastRefreshAt: null,
      },
    ]);
  });

  it('a key in the environment makes the endpoint available, and is sent to it', async () => {
    server.models(list([]));
    app = await buildTestApp({ MODELS_FILE: modelsFile(), PAID_KEY_FOR_TEST: 'sk-paid-0000000000' });
    expect(app.providers.configured()).toContain('paid');
    const model = app.providers.get('paid/big-model');
    if (!model) throw new Error('paid/big-model should be available');
    server.script({ frames: fx.mistralUsageOnLastChunk });
    await collect(
      app.providers
        .providerFor(model)
        .stream({ model, messages: [{ role: 'user', content: 'Hi' }], signal: new AbortController().signal }),
    );
    expect(server.chatRequests()[0]?.headers.authorization).toBe('Bearer sk-paid-0000000000');
  });

  it('10,000 discovered models with odd ids: the list answers fast and lookups are map reads', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) =>
      i % 3 ? `org/model ${i}:Q4_K_M` : `${'m'.repeat(290)}-${i}`,
    );
    server.models(list(ids));
    app = await buildTestApp({ MODELS_FILE: modelsFile() });
    const started = performance.now();
    const models = await available();
    const listMs = performance.now() - started;
    expect(models).toHaveLength(10_000 + 1 + 2);
    const lookups = performance.now();
    for (const id of ids) expect(app.providers.get(`box/${id}`)).toBeDefined();
    const lookupMs = performance.now() - lookups;
    // Generous bounds for a shared 2-core machine: a rebuild per lookup would take seconds.
    expect(listMs).toBeLessThan(1500);
    expect(lookupMs).toBeLessThan(500);
  });

  it('a model list that never answers holds readiness for at most ~3 s', async () => {
    server.models({ hang: true });
    const started = Date.now();
    app = await buildTestApp({ MODELS_FILE: modelsFile() });
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await app.inject({ url: '/' })).statusCode).toBe(200);
  });

  it('closing the app stops the refresh timers', async () => {
    server.models(list(['a']));
    app = await buildTestApp({ MODELS_FILE: modelsFile(), MODELS_REFRESH_SECONDS: '1' });
    await expect.poll(() => server.requests.length, { timeout: 3000 }).toBeGreaterThanOrEqual(2);
    await app.close();
    app = undefined;
    const seen = server.requests.length;
    await new Promise((r) => setTimeout(r, 1300));
    expect(server.requests.length).toBe(seen);
  });
});
