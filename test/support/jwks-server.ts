// A JWKS on loopback for Auth0-mode tests: real RSA keys, a request counter, key rotation, and faults
// (an error status, a server that never answers, a stopped server).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Rs256Key, signRs256 } from './tokens.js';

export type JwksBehaviour = 'ok' | 'error' | 'hang';

interface PublishedKey extends Rs256Key {
  jwk: Record<string, unknown>;
}

function newKey(modulusLength = 2048): PublishedKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const kid = randomUUID();
  return { privateKey, kid, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

export async function startJwksServer() {
  let keys: PublishedKey[] = [newKey()];
  let behaviour: JwksBehaviour = 'ok';
  let requests = 0;
  const hanging = new Set<ServerResponse>();
  const current = (): Rs256Key => keys[keys.length - 1] as PublishedKey;

  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    requests += 1;
    if (behaviour === 'hang') {
      hanging.add(res);
      return;
    }
    if (behaviour === 'error') {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    /** The origin, for AUTH0_DOMAIN. */
    url,
    /** What the app's config makes of it: the origin with a trailing slash. */
    issuer: `${url}/`,
    /** How many times the JWKS was asked for. */
    get requests() {
      return requests;
    },
    /** The signing key: the newest one. */
    get current(): Rs256Key {
      return current();
    },
    get publicJwks() {
      return keys.map((k) => k.jwk);
    },
    /** Publishes a new key beside the old ones and makes it the signing key. */
    rotate(options: { retireOld?: boolean; modulusLength?: number } = {}): Rs256Key {
      const key = newKey(options.modulusLength);
      keys = options.retireOld ? [key] : [...keys, key];
      return key;
    },
    behave(next: JwksBehaviour) {
      behaviour = next;
    },
    /** An RS256 token signed with the current key (or the given one). */
    sign(payload: unknown, header: Record<string, unknown> = {}, key?: Rs256Key): string {
      return signRs256(payload, key ?? current(), header);
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type JwksServer = Awaited<ReturnType<typeof startJwksServer>>;
