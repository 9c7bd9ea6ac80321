// The JWKS store on its own, with a real loopback JWKS and an injected clock: cool-downs, misses,
// stale sets, deadlines, and which published keys are usable.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJwksStore, JwksError, parseJwks } from '../../src/auth/jwks.js';
import { type JwksServer, startJwksServer } from '../support/jwks-server.js';

let jwks: JwksServer;
let clock: number;
beforeEach(async () => {
  jwks = await startJwksServer();
  clock = 1_000_000;
});
afterEach(() => jwks.stop());

const store = (extra: Partial<Parameters<typeof createJwksStore>[0]> = {}) =>
  createJwksStore({
    issuer: jwks.issuer,
    cooldownMs: 30_000,
    maxAgeMs: 600_000,
    missTtlMs: 300_000,
    timeoutMs: 500,
    now: () => clock,
    ...extra,
  });

async function rejection(p: Promise<unknown>): Promise<JwksError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(JwksError);
  return err as JwksError;
}

describe('JWKS store', () => {
  it('fetches from <issuer>.well-known/jwks.json and returns a PEM key by kid', async () => {
    const s = store();
    expect(s.url).toBe(`${jwks.url}/.well-known/jwks.json`);
    expect(await s.getKey(jwks.current.kid)).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(await s.getKey(jwks.current.kid)).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(jwks.requests).toBe(1);
    expect(s.fetches).toBe(1);
  });

  it('an unknown kid may refetch once per cool-down', async () => {
    const s = store();
    await s.getKey(jwks.current.kid);
    expect((await rejection(s.getKey('made-up-1'))).code).toBe('JWKS_UNKNOWN_KID');
    expect(jwks.requests).toBe(2);
    await rejection(s.getKey('made-up-2'));
    expect(jwks.requests).toBe(2);

    clock += 30_000;
    const rotated = jwks.rotate();
    expect(await s.getKey(rotated.kid)).toMatch(/PUBLIC KEY/);
    expect(jwks.requests).toBe(3);
  });

  it('a kid refused during a cool-down is not remembered as a miss', async () => {
    const s = store();
    await s.getKey(jwks.current.kid);
    await rejection(s.getKey('made-up'));
    const rotated = jwks.rotate();
    await rejection(s.getKey(rotated.kid)); // cool-down: not asked
    clock += 30_000;
    expect(await s.getKey(rotated.kid)).toMatch(/PUBLIC KEY/);
  });

  it('a kid that a fresh set lacked is refused without asking until its miss expires', async () => {
    const s = store();
    await s.getKey(jwks.current.kid);
    await rejection(s.getKey('made-up'));
    expect(jwks.requests).toBe(2);
    clock += 60_000; // past the cool-down, within the miss TTL
    await rejection(s.getKey('made-up'));
    expect(jwks.requests).toBe(2);
    clock += 300_000;
    await rejection(s.getKey('made-up'));
    expect(jwks.requests).toBe(3);
  });

  it('after a failed fetch, waits a cool-down before asking again', async () => {
    jwks.behave('error');
    const s = store();
    expect((await rejection(s.getKey(jwks.current.kid))).code).toBe('JWKS_UNAVAILABLE');
    await rejection(s.getKey(jwks.current.kid));
    expect(jwks.requests).toBe(1);
    jwks.behave('ok');
    clock += 30_000;
    expect(await s.getKey(jwks.current.kid)).toMatch(/PUBLIC KEY/);
    expect(jwks.requests).toBe(2);
  });

  it('concurrent lookups share one fetch', async () => {
    const s = store();
    const kids = [jwks.current.kid, jwks.current.kid, 'x', 'y', 'z'];
    await Promise.allSettled(kids.map((k) => s.getKey(k)));
    expect(jwks.requests).toBe(1);
  });

  it('a stale set still answers at once and is refreshed behind the request', async () => {
    const s = store();
    const first = jwks.current.kid;
    await s.getKey(first);
    clock += 600_001;
    jwks.rotate({ retireOld: true });
    expect(await s.getKey(first)).toMatch(/PUBLIC KEY/);
    await new Promise((r) => setTimeout(r, 200));
    expect(jwks.requests).toBe(2);
    // The refreshed set no longer has the retired key.
    await rejection(s.getKey(first));
  });

  it('gives up on a JWKS that never answers at its deadline', async () => {
    jwks.behave('hang');
    const s = store({ timeoutMs: 300 });
    const started = Date.now();
    const err = await rejection(s.getKey(jwks.current.kid));
    expect(err.code).toBe('JWKS_UNAVAILABLE');
    expect(err.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports failed fetches', async () => {
    jwks.behave('error');
    const seen: string[] = [];
    await rejection(store({ onFetchError: (e) => seen.push(e.message) }).getKey('k'));
    expect(seen).toEqual(['The JWKS answered 503']);
  });
});

describe('parseJwks', () => {
  const rsa = (bits: number) =>
    generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });

  it('keeps RSA signing keys only', () => {
    const good = rsa(2048);
    const keys = parseJwks({
      keys: [
        { ...good, kid: 'good', alg: 'RS256', use: 'sig' },
        { ...good, kid: 'no-alg-no-use' },
        { ...good, kid: 'enc', use: 'enc' },
        { ...good, kid: 'ps256', alg: 'PS256' },
        { ...rsa(1024), kid: 'short' },
        {
          ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }),
          kid: 'ec',
        },
        { kty: 'RSA', kid: 'broken', n: '!!', e: 'AQAB' },
        { ...good },
        'not an object',
      ],
    });
    expect([...keys.keys()]).toEqual(['good', 'no-alg-no-use']);
  });

  it('refuses a document without a keys array', () => {
    expect(() => parseJwks({})).toThrow(JwksError);
    expect(() => parseJwks(null)).toThrow(JwksError);
  });
});
