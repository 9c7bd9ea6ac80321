// Rate limits: per verified user after authentication, per IP (ten times higher) before it, and the
// client address taken from X-Forwarded-For only when TRUST_PROXY says so.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';
import { authHeaders, bearer, signHs256 } from '../support/tokens.js';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;
const apps: TestApp[] = [];
async function appWith(env: Record<string, string>) {
  const app = await buildTestApp({ LOG_LEVEL: 'info', ...env });
  apps.push(app);
  return app;
}
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function expect429(r: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) {
  expect(r.statusCode).toBe(429);
  expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  expect(r.json()).toEqual({
    statusCode: 429,
    error: 'Too Many Requests',
    code: 'RATE_LIMITED',
    message: expect.stringMatching(/^Too many requests; retry in /),
    timestamp: expect.any(String),
  });
}

describe('per-user limit', () => {
  it('RATE_LIMIT_MAX requests a minute per user; another user is unaffected', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '3' });
    const as = (sub: string) => app.inject({ url: '/auth/me', headers: authHeaders(sub) });
    for (let i = 0; i < 3; i++) {
      const r = await as('busy-user');
      expect(r.statusCode).toBe(200);
      expect(r.headers['x-ratelimit-limit']).toBe('3');
    }
    expect429(await as('busy-user'));
    expect((await as('calm-user')).statusCode).toBe(200);
  });

  it('counts the user, not the token: new tokens for the same sub share the budget', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '2' });
    const fresh = () =>
      app.inject({ url: '/auth/me', headers: { authorization: bearer('same-sub', { jti: Math.random() }) } });
    expect((await fresh()).statusCode).toBe(200);
    expect((await fresh()).statusCode).toBe(200);
    expect429(await fresh());
  });

  it('counts stream requests opened with a ticket against the same per-user budget', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '3' });
    const sessionId = randomUUID();
    const ticket = encodeURIComponent(app.tickets.sign('streaming-user', sessionId));
    const stream = () => app.inject({ url: `/comparison/${sessionId}/stream?ticket=${ticket}` });
    expect((await app.inject({ url: '/auth/me', headers: authHeaders('streaming-user') })).statusCode).toBe(
      200,
    );
    expect((await stream()).statusCode).toBe(404);
    expect((await stream()).statusCode).toBe(404);
    expect429(await stream());
    expect429(await app.inject({ url: '/auth/me', headers: authHeaders('streaming-user') }));
  });
});

describe('per-IP limit, before authentication', () => {
  it('a flood of bad tokens meets 429 at ten times the per-user limit, without verifying them', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '2' });
    const bad = `Bearer ${signHs256({ sub: 'x' }, 'another-secret-another-secret-123456')}`;
    const flood = () => app.inject({ url: '/auth/me', headers: { authorization: bad } });
    for (let i = 0; i < 20; i++) expect((await flood()).statusCode).toBe(401);
    expect429(await flood());
    expect429(await flood());
    const rejected = app.logs.lines.filter((l) => l.includes('bearer token rejected')).length;
    expect(rejected).toBe(20);
    // A good token from the same address is held back too: the address is over its limit.
    expect429(await app.inject({ url: '/auth/me', headers: authHeaders('good-user') }));
  });

  it('covers public routes and unknown routes', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '1' });
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/' })).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/nowhere' })).statusCode).toBe(404);
    expect429(await app.inject({ url: '/health' }));
  });

  it('other addresses keep their own budget', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '1' });
    for (let i = 0; i < 10; i++) await app.inject({ url: '/', remoteAddress: '192.0.2.1' });
    expect429(await app.inject({ url: '/', remoteAddress: '192.0.2.1' }));
    expect((await app.inject({ url: '/', remoteAddress: '192.0.2.2' })).statusCode).toBe(200);
  });
});

describe('browsers can read the limit answers', () => {
  it('401 and 429 carry the CORS headers and expose Retry-After', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '1', CORS_ORIGIN: 'https://play.example.com' });
    const origin = { origin: 'https://play.example.com' };
    const unauth = await app.inject({ url: '/auth/me', headers: origin });
    expect(unauth.statusCode).toBe(401);
    expect(unauth.headers['access-control-allow-origin']).toBe('https://play.example.com');
    for (let i = 0; i < 10; i++) await app.inject({ url: '/', headers: origin });
    const limited = await app.inject({ url: '/', headers: origin });
    expect429(limited);
    expect(limited.headers['access-control-allow-origin']).toBe('https://play.example.com');
    expect(String(limited.headers['access-control-expose-headers'])).toMatch(/Retry-After/i);
  });
});

describe('TRUST_PROXY', () => {
  const fromBehindProxy = (app: TestApp, client: string) =>
    app.inject({ url: '/', remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': client } });

  it('with a trusted proxy, each forwarded client has its own budget', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '1', TRUST_PROXY: '10.0.0.1' });
    for (let i = 0; i < 10; i++) expect((await fromBehindProxy(app, '198.51.100.7')).statusCode).toBe(200);
    expect429(await fromBehindProxy(app, '198.51.100.7'));
    expect((await fromBehindProxy(app, '198.51.100.8')).statusCode).toBe(200);
  });

  it('without it, X-Forwarded-For is ignored: a client cannot pick a fresh address per request', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '1' });
    for (let i = 0; i < 10; i++) await fromBehindProxy(app, `198.51.100.${i}`);
    expect429(await fromBehindProxy(app, '198.51.100.200'));
  });

  it('a proxy that is not trusted cannot spoof the address either', async () => {
    const app = await appWith({ RATE_LIMIT_MAX: '1', TRUST_PROXY: '10.9.9.9' });
    for (let i = 0; i < 10; i++) await fromBehindProxy(app, `198.51.100.${i}`);
    expect429(await fromBehindProxy(app, '198.51.100.200'));
  });
});
