// Public service routes: /, /api/info, /health (with a working and a broken database), /docs.
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';

let app: Awaited<ReturnType<typeof buildTestApp>> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('service routes', () => {
  it('GET / says the service is up', async () => {
    app = await buildTestApp();
    const r = await app.inject({ url: '/' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      status: 'ok',
      timestamp: expect.any(String),
      service: 'ai-model-playground-backend',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it('GET /api/info lists features and endpoints', async () => {
    app = await buildTestApp();
    const r = await app.inject({ url: '/api/info' });
    expect(r.statusCode).toBe(200);
    expect(r.json().features.length).toBeGreaterThan(3);
    expect(r.json().endpoints.stream).toBe('GET /comparison/:id/stream');
  });

  it('GET /health reports the database, providers, comparisons and memory', async () => {
    app = await buildTestApp({ OPENAI_API_KEY: 'sk-test', DEMO_MODELS: 'true' });
    const r = await app.inject({ url: '/health' });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.status).toBe('ok');
    expect(body.database).toEqual({ reachable: true, writable: true, problem: null });
    expect(body.providers.configured).toEqual(expect.arrayContaining(['openai', 'demo']));
    expect(body.providers.configured).not.toContain('anthropic');
    expect(body.comparisons.active).toBe(0);
    // One process: nothing shared, nothing to ping.
    expect(body.redis).toBeNull();
    expect(body.memory.rssBytes).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toContain('sk-test');
  });

  it('GET /health answers 503 when the database is not reachable', async () => {
    app = await buildTestApp();
    app.db.$client.close();
    const r = await app.inject({ url: '/health' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'degraded', database: { reachable: false } });
  });

  it('serves the OpenAPI document and the docs page without a token', async () => {
    app = await buildTestApp();
    const doc = await app.inject({ url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json().paths)).toEqual(expect.arrayContaining(['/', '/health', '/auth/me']));
    const page = await app.inject({ url: '/docs' });
    expect([200, 302]).toContain(page.statusCode);
  });

  it('answers CORS preflights for the configured origins only', async () => {
    app = await buildTestApp({ CORS_ORIGIN: 'http://app.test,http://other.test' });
    const ok = await app.inject({
      method: 'OPTIONS',
      url: '/comparison',
      headers: { origin: 'http://other.test', 'access-control-request-method': 'POST' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('http://other.test');
    const no = await app.inject({
      method: 'OPTIONS',
      url: '/comparison',
      headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' },
    });
    expect(no.headers['access-control-allow-origin']).toBeUndefined();
  });
});
