// Auth0 signing keys from our configured issuer's JWKS only: cached by kid, refetched for an unknown
// kid at most once per cool-down, and fetched under a hard deadline so a silent JWKS means 401, not a hang.
import { createPublicKey, type JsonWebKey } from 'node:crypto';

export type JwksErrorCode = 'JWKS_BAD_HEADER' | 'JWKS_UNKNOWN_KID' | 'JWKS_UNAVAILABLE';

/** Every failure to find a key; the `JWKS_` code makes the error handler answer 401. */
export class JwksError extends Error {
  override name = 'JwksError';
  constructor(
    message: string,
    readonly code: JwksErrorCode,
  ) {
    super(message);
  }
}

export interface JwksStoreOptions {
  /** From configuration only, never from a token: a token's `iss` must not choose what we fetch. */
  issuer: string;
  /** Deadline for one fetch, headers and body together. */
  timeoutMs?: number;
  /** Least time between two fetches caused by unknown kids, and after a failed fetch. */
  cooldownMs?: number;
  /** After this, a known key still works but the set is refreshed in the background. */
  maxAgeMs?: number;
  /** How long a kid that the fresh set did not contain is rejected without asking again. */
  missTtlMs?: number;
  now?: () => number;
  /** Told about failed fetches, at most once per cool-down. */
  onFetchError?: (err: JwksError) => void;
}

export const jwksDefaults = {
  timeoutMs: 4_000,
  cooldownMs: 30_000,
  maxAgeMs: 10 * 60_000,
  missTtlMs: 5 * 60_000,
};

const MAX_JWKS_BYTES = 256 * 1024;
const MAX_KEYS = 50;
const MAX_REMEMBERED_MISSES = 10_000;
const MIN_RSA_BITS = 2048;

interface RsaJwk extends JsonWebKey {
  kty: 'RSA';
  kid: string;
  n: string;
  e: string;
}

function isRsaSigningJwk(value: unknown): value is RsaJwk {
  if (typeof value !== 'object' || value === null) return false;
  const k = value as Record<string, unknown>;
  return (
    k.kty === 'RSA' &&
    typeof k.kid === 'string' &&
    typeof k.n === 'string' &&
    typeof k.e === 'string' &&
    (k.use === undefined || k.use === 'sig') &&
    (k.alg === undefined || k.alg === 'RS256')
  );
}

/** kid -> PEM public key; keys we cannot use (other types, short moduli, encryption keys) are left out. */
export function parseJwks(body: unknown): Map<string, string> {
  const list = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new JwksError('The JWKS has no "keys" array', 'JWKS_UNAVAILABLE');
  const keys = new Map<string, string>();
  for (const jwk of list.slice(0, MAX_KEYS)) {
    if (!isRsaSigningJwk(jwk)) continue;
    try {
      const key = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) continue;
      keys.set(jwk.kid, key.export({ type: 'spki', format: 'pem' }).toString());
    } catch {
      // A malformed entry must not hide the good ones beside it.
    }
  }
  return keys;
}

export function createJwksStore(options: JwksStoreOptions) {
  const { timeoutMs, cooldownMs, maxAgeMs, missTtlMs } = { ...jwksDefaults, ...options };
  const now = options.now ?? Date.now;
  const url = `${options.issuer.endsWith('/') ? options.issuer : `${options.issuer}/`}.well-known/jwks.json`;

  let keys = new Map<string, string>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let failedAt = Number.NEGATIVE_INFINITY;
  let unknownKidFetchAt = Number.NEGATIVE_INFINITY;
  let fetches = 0;
  /** Counts successful loads, so a lookup knows whether it saw a set fetched for it. */
  let generation = 0;
  let inflight: Promise<void> | undefined;
  const misses = new Map<string, number>();

  async function download(): Promise<Map<string, string>> {
    fetches += 1;
    let response: Response;
    try {
      // Node's fetch has no timeout of its own; the signal bounds the headers and the body alike.
      response = await fetch(url, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw new JwksError(`The JWKS answered ${response.status}`, 'JWKS_UNAVAILABLE');
      if (Number(response.headers.get('content-length') ?? 0) > MAX_JWKS_BYTES)
        throw new JwksError('The JWKS is too large', 'JWKS_UNAVAILABLE');
      const text = await response.text();
      if (text.length > MAX_JWKS_BYTES) throw new JwksError('The JWKS is too large', 'JWKS_UNAVAILABLE');
      return parseJwks(JSON.parse(text));
    } catch (err) {
      if (err instanceof JwksError) throw err;
      const reason = err instanceof Error && err.name === 'TimeoutError' ? 'timed out' : 'failed';
      throw new JwksError(`Fetching the JWKS ${reason}`, 'JWKS_UNAVAILABLE');
    }
  }

  /** One fetch at a time: every caller that arrives meanwhile waits for the same answer. */
  function refresh(): Promise<void> {
    inflight ??= download()
      .then(
        (fresh) => {
          keys = fresh;
          loadedAt = now();
          generation += 1;
        },
        (err: JwksError) => {
          failedAt = now();
          options.onFetchError?.(err);
          throw err;
        },
      )
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  function rememberMiss(kid: string, at: number) {
    if (misses.size >= MAX_REMEMBERED_MISSES) misses.clear();
    misses.set(kid, at + missTtlMs);
  }

  return {
    url,
    /** How many times the JWKS was requested (for health and tests). */
    get fetches() {
      return fetches;
    },

    /** The PEM public key for `kid`, or a JwksError. */
    async getKey(kid: string): Promise<string> {
      const t = now();
      const coolingAfterFailure = t - failedAt < cooldownMs;
      const known = keys.get(kid);
      if (known) {
        // Stale but known: answer now and refresh behind it, so a slow JWKS never slows a request.
        if (t - loadedAt > maxAgeMs && !coolingAfterFailure && !inflight) refresh().catch(() => {});
        return known;
      }
      if ((misses.get(kid) ?? 0) > t) throw new JwksError('Unknown signing key', 'JWKS_UNKNOWN_KID');

      const loaded = Number.isFinite(loadedAt);
      const seenGeneration = generation;
      if (inflight) {
        await inflight.catch(() => {});
      } else if (!coolingAfterFailure && (!loaded || t - unknownKidFetchAt >= cooldownMs)) {
        // Only fetches caused by unknown kids start the cool-down, so a burst of made-up kids
        // costs one request, while the first fetch and a genuine rotation are never delayed by it.
        if (loaded) unknownKidFetchAt = t;
        await refresh();
      }
      const key = keys.get(kid);
      if (key) return key;
      if (!Number.isFinite(loadedAt))
        throw new JwksError('The signing keys could not be fetched', 'JWKS_UNAVAILABLE');
      // Remembered only when a set fetched just now lacks it: a kid turned away during a cool-down
      // may be a genuine new key and gets its chance at the next fetch.
      if (generation > seenGeneration) rememberMiss(kid, loadedAt);
      throw new JwksError('Unknown signing key', 'JWKS_UNKNOWN_KID');
    },
  };
}

export type JwksStore = ReturnType<typeof createJwksStore>;
