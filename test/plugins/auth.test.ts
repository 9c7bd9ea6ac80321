// HS256 mode and the stream's tickets through real routes: what is accepted, what is 401, and that
// no token, ticket or secret reaches the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { buildTestApp, TEST_JWT_SECRET } from '../helper.js';
import { startJwksServer } from '../support/jwks-server.js';
import { authHeaders, bearer, signHs256, unsignedJwt } from '../support/tokens.js';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;
let app: TestApp;

// A stand-in for the comparison stream route: the same hook, registered by the test, not by production code.
async function addStreamRoute(target: App) {
  target.get('/t/comparison/:id/stream', { onRequest: target.authenticateStream }, async (request) => ({
    user: request.user,
  }));
}

beforeAll(async () => {
  app = await buildTestApp({}, addStreamRoute);
});
afterAll(() => app.close());

const me = (headers: Record<string, string>) => app.inject({ url: '/auth/me', headers });

function expect401(r: { statusCode: number; json: () => unknown }) {
  expect(r.statusCode).toBe(401);
  expect(r.json()).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    code: expect.stringMatching(/^[A-Z_]+$/),
    message: expect.any(String),
    timestamp: expect.any(String),
  });
}

describe('HS256 mode', () => {
  it('accepts a token signed with JWT_SECRET and keeps the user up to date', async () => {
    const r = await me(authHeaders('hs-user'));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ user: { id: 'hs-user', email: 'hs-user@example.com', name: 'hs-user' } });
    const renamed = await me({ authorization: bearer('hs-user', { name: 'Renamed', email: undefined }) });
    // A token without an email keeps the stored one; /auth/me answers the stored profile.
    expect(renamed.json().user).toEqual({ id: 'hs-user', email: 'hs-user@example.com', name: 'Renamed' });
    expect(await app.stores.users.findById('hs-user')).toEqual(renamed.json().user);
    expect(app.authMode).toBe('hs256');
    expect(app.jwks).toBeNull();
    expect(app.devToken).toBeNull();
  });

  it('accepts a token without exp (self-hosted tokens may not expire)', async () => {
    expect(
      (await me({ authorization: `Bearer ${signHs256({ sub: 'no-exp', exp: undefined })}` })).statusCode,
    ).toBe(200);
  });

  it.each<[string, () => string]>([
    ['no header', () => ''],
    ['another scheme', () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['an empty bearer', () => 'Bearer '],
    ['two tokens', () => `${bearer('a')} ${bearer('b').slice(7)}`],
    ['wrong secret', () => bearer('x', {}, 'another-secret-another-secret-123456')],
    ['expired', () => bearer('x', { iat: 1, exp: Math.floor(Date.now() / 1000) - 60 })],
    ['not yet valid', () => bearer('x', { nbf: Math.floor(Date.now() / 1000) + 300 })],
    ['alg none', () => `Bearer ${unsignedJwt({ sub: 'x' })}`],
    ['not a JWT', () => 'Bearer hello'],
    ['no sub', () => `Bearer ${signHs256({ name: 'nobody' })}`],
    ['a numeric sub', () => `Bearer ${signHs256({ sub: 42 })}`],
    ['an array payload', () => `Bearer ${signHs256([{ sub: 'x' }])}`],
    ['HS512', () => `Bearer ${signHs256({ sub: 'x' }, TEST_JWT_SECRET, { alg: 'HS512' })}`],
  ])('401 for %s', async (_name, header) => {
    const value = header();
    expect401(await me(value ? { authorization: value } : {}));
  });

  it('says which: an expired token, or an invalid one', async () => {
    const expired = await me({
      authorization: bearer('x', { iat: 1, exp: Math.floor(Date.now() / 1000) - 60 }),
    });
    expect401(expired);
    expect(expired.json().message).toBe('Bearer token expired');
    const forged = await me({ authorization: bearer('x', {}, 'another-secret-another-secret-123456') });
    expect(forged.json().message).toBe('Invalid bearer token');
  });

  it('a token accepted once (and remembered) is refused once it expires', async () => {
    // Inside the 15 s clock tolerance for one to two seconds more.
    const header = bearer('soon-expired', { exp: Math.ceil(Date.now() / 1000) - 14 });
    expect((await me({ authorization: header })).statusCode).toBe(200);
    expect((await me({ authorization: header })).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    const late = await me({ authorization: header });
    expect401(late);
    expect(late.json().message).toBe('Bearer token expired');
  });

  it('refuses an RS256 token, even one from a real key', async () => {
    const jwks = await startJwksServer();
    try {
      expect401(await me({ authorization: `Bearer ${jwks.sign({ sub: 'x' })}` }));
    } finally {
      await jwks.stop();
    }
  });
});

describe('stream tickets on the stream route', () => {
  const stream = (id: string, query = '', headers: Record<string, string> = {}) =>
    app.inject({ url: `/t/comparison/${id}/stream${query}`, headers });

  it('a ticket opens its own session for its user, with no header', async () => {
    await me(authHeaders('ticket-user'));
    const ticket = app.tickets.sign('ticket-user', 'session-a');
    const r = await stream('session-a', `?ticket=${encodeURIComponent(ticket)}`);
    expect(r.statusCode).toBe(200);
    expect(r.json().user).toEqual({
      id: 'ticket-user',
      email: 'ticket-user@example.com',
      name: 'ticket-user',
    });
  });

  it('a bearer header works too', async () => {
    const r = await stream('session-a', '', authHeaders('header-user'));
    expect(r.statusCode).toBe(200);
    expect(r.json().user.id).toBe('header-user');
  });

  it('401 for a ticket of another session, a tampered one, a JWT in the URL, or none', async () => {
    const ticket = app.tickets.sign('ticket-user', 'session-a');
    expect401(await stream('session-b', `?ticket=${encodeURIComponent(ticket)}`));
    const tampered = ticket.slice(0, -3) + (ticket.endsWith('AAA') ? 'BBB' : 'AAA');
    expect401(await stream('session-a', `?ticket=${encodeURIComponent(tampered)}`));
    expect401(await stream('session-a', `?ticket=${signHs256({ sub: 'ticket-user' })}`));
    expect401(await stream('session-a', `?ticket=${ticket}&ticket=${ticket}`));
    expect401(await stream('session-a', '?token=anything'));
    expect401(await stream('session-a'));
  });

  it('a ticket is never a bearer token', async () => {
    const ticket = app.tickets.sign('ticket-user', 'session-a');
    expect401(await me({ authorization: `Bearer ${ticket}` }));
    expect401(await stream('session-a', '', { authorization: `Bearer ${ticket}` }));
  });
});

describe('secrets stay out of the logs', () => {
  it('no bearer token, ticket or JWT secret in any log line', async () => {
    const token = bearer('log-user').slice(7);
    const ticket = app.tickets.sign('log-user', 'session-log');
    const badToken = signHs256({ sub: 'x' }, 'another-secret-another-secret-123456');
    await me({ authorization: `Bearer ${token}` });
    await me({ authorization: `Bearer ${badToken}` });
    await app.inject({ url: `/t/comparison/session-log/stream?ticket=${encodeURIComponent(ticket)}` });
    await app.inject({ url: `/t/comparison/other/stream?ticket=${encodeURIComponent(ticket)}` });
    await app.inject({ url: `/no/such/route?ticket=${encodeURIComponent(ticket)}` });
    const text = app.logs.text();
    expect(text).toContain('session-log');
    for (const secret of [token, badToken, ticket, ticket.split('.')[2] as string, TEST_JWT_SECRET])
      expect(text).not.toContain(secret);
  });
});
