// Auth0 mode end to end: RS256 tokens checked against a real JWKS on loopback, and every bad token,
// unreachable or silent JWKS answering 401 with the envelope, never 500 and never a hang.
import { createPublicKey, generateKeyPairSync, type JsonWebKey, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';
import { type JwksServer, startJwksServer } from '../support/jwks-server.js';
import { signHs256, unsignedJwt } from '../support/tokens.js';

const AUDIENCE = 'https://api.test';

let jwks: JwksServer;
let app: Awaited<ReturnType<typeof buildTestApp>>;
const cleanup: Array<() => Promise<unknown>> = [];

async function appFor(domain: string, setup?: Parameters<typeof buildTestApp>[1]) {
  const built = await buildTestApp(
    { AUTH0_DOMAIN: domain, AUTH0_AUDIENCE: AUDIENCE, JWT_SECRET: undefined },
    setup,
  );
  cleanup.push(() => built.close());
  return built;
}

beforeEach(async () => {
  jwks = await startJwksServer();
  cleanup.push(() => jwks.stop());
  app = await appFor(jwks.url);
});
afterEach(async () => {
  for (const done of cleanup.splice(0).reverse()) await done();
});

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'auth0|alice',
  email: 'alice@example.com',
  name: 'Alice',
  iss: jwks.issuer,
  aud: AUDIENCE,
  ...extra,
});

function me(token: string, target = app) {
  return target.inject({ url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
}

async function expect401(token: string, target = app) {
  const r = await me(token, target);
  expect(r.statusCode).toBe(401);
  expect(r.json()).toEqual({
    statusCode: 401,
    error: 'Unauthorized',
    code: 'UNAUTHORIZED',
    message: expect.any(String),
    timestamp: expect.stringMatching(/^\d{4}-/),
  });
  expect(r.headers['www-authenticate']).toMatch(/^Bearer realm="playground"/);
  return r;
}

describe('Auth0 mode: good tokens', () => {
  it('accepts an RS256 token from the JWKS and stores the user', async () => {
    const r = await me(jwks.sign(claims()));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ user: { id: 'auth0|alice', email: 'alice@example.com', name: 'Alice' } });
    expect(await app.stores.users.findById('auth0|alice')).toEqual(r.json().user);
    expect(app.authMode).toBe('auth0');
  });

  it('fetches the JWKS once and then serves keys from the cache', async () => {
    for (let i = 0; i < 5; i++) expect((await me(jwks.sign(claims()))).statusCode).toBe(200);
    expect(jwks.requests).toBe(1);
  });

  it('accepts an aud array that contains our audience', async () => {
    const r = await me(jwks.sign(claims({ aud: ['https://other.api', AUDIENCE] })));
    expect(r.statusCode).toBe(200);
  });

  it('tolerates a few seconds of clock skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await me(jwks.sign(claims({ exp: now - 5, nbf: now + 5 })))).statusCode).toBe(200);
  });

  it('follows a key rotation with one more fetch', async () => {
    expect((await me(jwks.sign(claims()))).statusCode).toBe(200);
    expect(jwks.requests).toBe(1);
    jwks.rotate();
    expect((await me(jwks.sign(claims()))).statusCode).toBe(200);
    expect(jwks.requests).toBe(2);
    expect((await me(jwks.sign(claims()))).statusCode).toBe(200);
    expect(jwks.requests).toBe(2);
  });
});

describe('Auth0 mode: bad tokens are 401', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => string]> = [
    ['wrong audience', () => jwks.sign(claims({ aud: 'https://other.api' }))],
    ['aud array without ours', () => jwks.sign(claims({ aud: ['https://a.api', 'https://b.api'] }))],
    ['no audience', () => jwks.sign(claims({ aud: undefined }))],
    ['wrong issuer', () => jwks.sign(claims({ iss: 'https://evil.example/' }))],
    ['issuer without its trailing slash', () => jwks.sign(claims({ iss: jwks.url }))],
    ['no issuer', () => jwks.sign(claims({ iss: undefined }))],
    ['expired', () => jwks.sign(claims({ iat: now() - 3600, exp: now() - 60 }))],
    ['no expiry', () => jwks.sign(claims({ exp: undefined }))],
    ['not valid before the future', () => jwks.sign(claims({ nbf: now() + 300 }))],
    ['no subject', () => jwks.sign(claims({ sub: undefined }))],
    ['an array payload', () => jwks.sign([claims()])],
    ['a string payload', () => jwks.sign('just a string')],
    [
      'a tampered payload',
      () => {
        const [h, , s] = jwks.sign(claims()).split('.');
        return `${h}.${Buffer.from(JSON.stringify(claims({ sub: 'auth0|mallory' }))).toString('base64url')}.${s}`;
      },
    ],
    ['no kid', () => jwks.sign(claims(), { kid: undefined })],
    ['a kid that is not a string', () => jwks.sign(claims(), { kid: 42 })],
    ['alg none', () => unsignedJwt(claims(), { kid: jwks.current.kid })],
    ['alg none, lower case None', () => unsignedJwt(claims(), { alg: 'None', kid: jwks.current.kid })],
    ['RS512 header', () => jwks.sign(claims(), { alg: 'RS512' })],
    ['garbage', () => 'not.a.jwt'],
  ];
  it.each(cases)('%s', async (_name, token) => {
    await expect401(token());
  });

  it('HS256 signed with the public key is refused without a JWKS request', async () => {
    const publicPem = createPublicKey({ key: jwks.publicJwks[0] as JsonWebKey, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    await expect401(signHs256(claims(), publicPem, { kid: jwks.current.kid }));
    expect(jwks.requests).toBe(0);
  });

  it('a token signed by another key under a known kid is refused', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect401(jwks.sign(claims(), {}, { privateKey, kid: jwks.current.kid }));
  });
});

describe('Auth0 mode: the JWKS is only ever our issuer’s, and cannot be hammered', () => {
  it("never fetches an attacker's JWKS named by the token", async () => {
    const attacker = await startJwksServer();
    cleanup.push(() => attacker.stop());
    await expect401(attacker.sign(claims({ iss: attacker.issuer })));
    await expect401(attacker.sign(claims()));
    await expect401(attacker.sign(claims(), { jku: `${attacker.url}/.well-known/jwks.json` }));
    expect(attacker.requests).toBe(0);
  });

  it('a burst of unknown kids costs at most one extra fetch', async () => {
    expect((await me(jwks.sign(claims()))).statusCode).toBe(200);
    const burst = Array.from({ length: 20 }, () => jwks.sign(claims(), { kid: randomUUID() }));
    const answers = await Promise.all(burst.map((t) => me(t)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(401));
    for (const t of burst) await expect401(t);
    for (let i = 0; i < 20; i++) await expect401(jwks.sign(claims(), { kid: randomUUID() }));
    expect(jwks.requests).toBeLessThanOrEqual(2);
  });

  it('an unreachable JWKS gives 401', async () => {
    const gone = await startJwksServer();
    await gone.stop();
    const offline = await appFor(gone.url);
    await expect401(gone.sign(claims({ iss: gone.issuer })), offline);
    await expect401(gone.sign(claims({ iss: gone.issuer })), offline);
  });

  it('a JWKS answering 503 gives 401', async () => {
    jwks.behave('error');
    await expect401(jwks.sign(claims()));
    // The failure starts a cool-down: the next tokens do not ask again.
    await expect401(jwks.sign(claims()));
    expect(jwks.requests).toBe(1);
  });

  it('a JWKS that never answers gives 401 within a few seconds', async () => {
    jwks.behave('hang');
    const started = Date.now();
    await expect401(jwks.sign(claims()));
    expect(Date.now() - started).toBeLessThan(8_000);
    // Concurrent requests during a hang share the one fetch rather than piling up.
    expect(jwks.requests).toBe(1);
  }, 15_000);

  it('keeps accepting known keys while the JWKS is down', async () => {
    expect((await me(jwks.sign(claims()))).statusCode).toBe(200);
    jwks.behave('error');
    expect((await me(jwks.sign(claims()))).statusCode).toBe(200);
  });
});

describe('Auth0 mode: verifier errors that escape app.authenticate', () => {
  it('a route calling request.jwtVerify() itself still answers 401 for every kind of bad token', async () => {
    // The error handler, not only app.authenticate, must map fast-jwt and JWKS errors to 401.
    const raw = await appFor(jwks.url, (a) =>
      a.get('/t/raw-verify', async (request) => {
        await request.jwtVerify();
        return { ok: true };
      }),
    );
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      jwks.sign(claims({ nbf: now + 300 })),
      jwks.sign([claims()]),
      jwks.sign(claims(), { kid: randomUUID() }),
      unsignedJwt(claims(), { kid: jwks.current.kid }),
      jwks.sign(claims({ aud: 'https://other.api' })),
      'garbage',
    ];
    for (const token of tokens) {
      const r = await raw.inject({ url: '/t/raw-verify', headers: { authorization: `Bearer ${token}` } });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    const good = await raw.inject({
      url: '/t/raw-verify',
      headers: { authorization: `Bearer ${jwks.sign(claims())}` },
    });
    expect(good.statusCode).toBe(200);
  });
});
