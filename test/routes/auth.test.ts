// Auth routes: /auth/me behind a token, and the public Auth0 login/logout redirects (501 without Auth0).
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';
import { authHeaders } from '../support/tokens.js';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;
const apps: TestApp[] = [];
async function appWith(env: Record<string, string | undefined> = {}) {
  const app = await buildTestApp(env);
  apps.push(app);
  return app;
}
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

const auth0 = {
  AUTH0_DOMAIN: 'tenant.eu.auth0.com',
  AUTH0_AUDIENCE: 'https://api.playground.test',
  AUTH0_CLIENT_ID: 'client-123',
  CORS_ORIGIN: 'https://play.example.com,https://admin.example.com',
  JWT_SECRET: undefined,
};

describe('GET /auth/me', () => {
  it('answers the user of the token', async () => {
    const app = await appWith();
    const r = await app.inject({ url: '/auth/me', headers: authHeaders('me-user') });
    expect(r.json()).toEqual({ user: { id: 'me-user', email: 'me-user@example.com', name: 'me-user' } });
  });

  it('401 envelope without a token', async () => {
    const app = await appWith();
    const r = await app.inject({ url: '/auth/me' });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Missing bearer token',
    });
    expect(r.headers['www-authenticate']).toBe('Bearer realm="playground"');
  });
});

describe('GET /auth/login and /auth/logout with Auth0', () => {
  it('login redirects to the Universal Login with everything it needs', async () => {
    const app = await appWith(auth0);
    const r = await app.inject({ url: '/auth/login' });
    expect(r.statusCode).toBe(302);
    expect(r.headers['cache-control']).toBe('no-store');
    const to = new URL(String(r.headers.location));
    expect(`${to.origin}${to.pathname}`).toBe('https://tenant.eu.auth0.com/authorize');
    expect(Object.fromEntries(to.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client-123',
      audience: 'https://api.playground.test',
      scope: 'openid profile email',
      state: expect.stringMatching(/^[\w-]{16,}$/),
      redirect_uri: 'https://play.example.com',
    });
    const again = new URL(String((await app.inject({ url: '/auth/login' })).headers.location));
    expect(again.searchParams.get('state')).not.toBe(to.searchParams.get('state'));
  });

  it("login passes on the front end's own state, and refuses a malformed one", async () => {
    const app = await appWith(auth0);
    const r = await app.inject({ url: '/auth/login?state=front-end-state-42' });
    expect(new URL(String(r.headers.location)).searchParams.get('state')).toBe('front-end-state-42');
    const bad = await app.inject({ url: '/auth/login?state=%3Cscript%3E' });
    expect(bad.statusCode).toBe(400);
  });

  it('logout redirects to Auth0 and back to the front end', async () => {
    const app = await appWith(auth0);
    const r = await app.inject({ url: '/auth/logout' });
    expect(r.statusCode).toBe(302);
    const to = new URL(String(r.headers.location));
    expect(`${to.origin}${to.pathname}`).toBe('https://tenant.eu.auth0.com/v2/logout');
    expect(Object.fromEntries(to.searchParams)).toEqual({
      client_id: 'client-123',
      returnTo: 'https://play.example.com',
    });
  });

  it('a full origin as AUTH0_DOMAIN is used as given', async () => {
    const app = await appWith({ ...auth0, AUTH0_DOMAIN: 'http://127.0.0.1:4010' });
    const r = await app.inject({ url: '/auth/logout' });
    expect(String(r.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:4010\/v2\/logout\?/);
  });

  it('needs no token', async () => {
    const app = await appWith(auth0);
    expect((await app.inject({ url: '/auth/login' })).statusCode).toBe(302);
  });
});

describe('GET /auth/login and /auth/logout without what they need: 501 envelope', () => {
  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['HS256 mode', {}, /Auth0 is not configured/],
    ['no AUTH0_CLIENT_ID', { ...auth0, AUTH0_CLIENT_ID: undefined }, /AUTH0_CLIENT_ID/],
    ['CORS_ORIGIN *', { ...auth0, CORS_ORIGIN: '*' }, /CORS_ORIGIN/],
  ])('%s', async (_name, env, message) => {
    const app = await appWith(env);
    for (const url of ['/auth/login', '/auth/logout']) {
      const r = await app.inject({ url });
      expect(r.statusCode).toBe(501);
      expect(r.json()).toEqual({
        statusCode: 501,
        error: 'Not Implemented',
        code: expect.stringMatching(/^[A-Z_]+$/),
        message: expect.stringMatching(message),
        timestamp: expect.any(String),
      });
    }
  });
});
