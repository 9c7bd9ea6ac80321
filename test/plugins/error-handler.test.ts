// The error envelope: every kind of failure answers { statusCode, error, message, timestamp }.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../src/app.js';
import { Errors } from '../../src/errors.js';
import { ProviderError } from '../../src/providers/types.js';
import { captureLogs, testConfig } from '../helper.js';

// Routes that fail in each way a real route can; registered by the test, not by production code.
const failingRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/t/echo',
    { schema: { body: z.object({ prompt: z.string().min(1), n: z.number().int().max(3) }) } },
    async (r) => r.body,
  );
  app.get('/t/items/:id', { schema: { params: z.object({ id: z.uuid() }) } }, async () => ({}));
  app.get('/t/boom', async () => {
    throw new Error('database file /secret/path is corrupt at line 42');
  });
  app.get('/t/not-found', async () => {
    throw new Errors.NotFound('Comparison not found');
  });
  app.get('/t/provider/:kind', { schema: { params: z.object({ kind: z.string() }) } }, async (r) => {
    throw new ProviderError(r.params.kind as 'rate_limited', `upstream said ${r.params.kind}`, 'openai');
  });
};

let app: FastifyInstance;
const logs = captureLogs();
beforeAll(async () => {
  app = await buildApp(testConfig({ LOG_LEVEL: 'info' }), { logStream: logs.stream });
  await app.register(failingRoutes);
  await app.ready();
});
afterAll(() => app.close());

function expectEnvelope(body: unknown, statusCode: number) {
  expect(body).toEqual({
    statusCode,
    error: expect.any(String),
    code: expect.stringMatching(/^[A-Z_]+$/),
    message: expect.any(String),
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('error envelope', () => {
  it('404 for an unknown route', async () => {
    const r = await app.inject({ url: '/no/such/route' });
    expect(r.statusCode).toBe(404);
    expectEnvelope(r.json(), 404);
    expect(r.json()).toMatchObject({ error: 'Not Found', message: 'Route GET /no/such/route not found' });
  });

  it('400 naming the field for a zod validation failure', async () => {
    const r = await app.inject({ method: 'POST', url: '/t/echo', payload: { prompt: '', n: 9 } });
    expect(r.statusCode).toBe(400);
    expectEnvelope(r.json(), 400);
    expect(r.json().message).toMatch(/body\.prompt/);
    expect(r.json().message).toMatch(/body\.n/);
  });

  it('400 for a malformed id in the path', async () => {
    const r = await app.inject({ url: "/t/items/1' OR '1'='1" });
    expect(r.statusCode).toBe(400);
    expectEnvelope(r.json(), 400);
    expect(r.json().message).toMatch(/params\.id/);
  });

  it('400 for malformed JSON', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/t/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"prompt": "x",',
    });
    expect(r.statusCode).toBe(400);
    expectEnvelope(r.json(), 400);
  });

  it('415 for a body that is not JSON', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/t/echo',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expect(r.statusCode).toBe(415);
    expectEnvelope(r.json(), 415);
  });

  it('413 for a body over the limit', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/t/echo',
      payload: { prompt: 'a'.repeat(3_000_000), n: 1 },
    });
    expect(r.statusCode).toBe(413);
    expectEnvelope(r.json(), 413);
  });

  it('4xx errors of the catalog keep their message', async () => {
    const r = await app.inject({ url: '/t/not-found' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'Comparison not found' });
  });

  it('500 hides the detail from the client and logs it', async () => {
    const r = await app.inject({ url: '/t/boom', headers: { 'x-request-id': 'req-boom-1' } });
    expect(r.statusCode).toBe(500);
    expectEnvelope(r.json(), 500);
    expect(r.body).not.toContain('/secret/path');
    expect(r.headers['x-request-id']).toBe('req-boom-1');
    const line = logs.lines.map((l) => JSON.parse(l)).find((l) => l.reqId === 'req-boom-1' && l.level === 50);
    expect(line?.err?.message).toContain('/secret/path');
  });

  it.each([
    ['rate_limited', 429],
    ['timeout', 504],
    ['overloaded', 502],
    ['network', 502],
  ])('maps a provider error %s to %i', async (kind, status) => {
    const r = await app.inject({ url: `/t/provider/${kind}` });
    expect(r.statusCode).toBe(status);
    expectEnvelope(r.json(), status);
    expect(r.json().message).toBe(`upstream said ${kind}`);
  });
});
