// Errors Fastify answers before routing (a malformed URL, an over-long path parameter) carry the envelope too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helper.js';

const origin = 'http://localhost:3000';
let app: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  app = await buildTestApp({ CORS_ORIGIN: origin });
});
afterAll(() => app.close());

function expectEnvelope(body: unknown, statusCode: number, error: string) {
  expect(body).toEqual({
    statusCode,
    error,
    code: expect.stringMatching(/^[A-Z_]+$/),
    message: expect.any(String),
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  });
}

describe('errors Fastify answers before routing', () => {
  it('414 with the envelope, a request id and CORS for a 300-character path parameter', async () => {
    const r = await app.inject({
      url: `/comparison/${'a'.repeat(300)}`,
      headers: { origin, 'x-request-id': 'long-param-1' },
    });
    expect(r.statusCode).toBe(414);
    expectEnvelope(r.json(), 414, 'URI Too Long');
    expect(r.headers['x-request-id']).toBe('long-param-1');
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect(r.headers['access-control-expose-headers']).toContain('X-Request-Id');
    expect(r.body).not.toContain('aaaaaaaaaa');
  });

  it('400 with the envelope, a request id and CORS for a malformed URL (%c0%ae)', async () => {
    const r = await app.inject({ url: '/comparison/%c0%ae', headers: { origin } });
    expect(r.statusCode).toBe(400);
    expectEnvelope(r.json(), 400, 'Bad Request');
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
    expect(r.body).not.toContain('%c0');
  });

  it('no CORS grant for an origin that is not allowed, as on every other route', async () => {
    const r = await app.inject({ url: '/comparison/%c0%ae', headers: { origin: 'https://evil.example' } });
    expect(r.statusCode).toBe(400);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    expect(r.headers.vary).toBe('Origin');
  });
});
