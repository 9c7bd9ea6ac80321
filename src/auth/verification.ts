// How bearer tokens are checked in each mode: the @fastify/jwt options for Auth0 (RS256 from our
// issuer's JWKS) and for self-hosting (HS256 with JWT_SECRET), and the user a payload stands for.
import { hkdfSync, randomBytes } from 'node:crypto';
import type { FastifyJWTOptions, TokenOrHeader } from '@fastify/jwt';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { AuthUser } from '../repositories/types.js';
import { JwksError, type JwksStore } from './jwks.js';

/** Clocks of token issuers and of this server may disagree by this much. */
export const CLOCK_TOLERANCE_MS = 15_000;

export interface TokenPayload {
  sub?: unknown;
  email?: unknown;
  name?: unknown;
}

const optionalText = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 320) : null);

/** The user a verified payload names; an empty id when the token has no usable `sub`. */
export function userFromClaims(payload: unknown): AuthUser {
  const claims: TokenPayload =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {};
  const sub = typeof claims.sub === 'string' && claims.sub.length <= 255 ? claims.sub : '';
  return { id: sub, email: optionalText(claims.email), name: optionalText(claims.name) };
}

function headerOf(token: TokenOrHeader): { alg?: unknown; kid?: unknown } {
  const header = 'header' in token ? (token.header as unknown) : null;
  return typeof header === 'object' && header !== null ? header : {};
}

type Auth0 = NonNullable<Config['auth']['auth0']>;

export function auth0JwtOptions(auth0: Auth0, jwks: JwksStore): FastifyJWTOptions {
  return {
    // The whole token reaches the key lookup, so the kid comes from its header.
    decode: { complete: true },
    secret: async (_request: FastifyRequest, token: TokenOrHeader) => {
      const { alg, kid } = headerOf(token);
      // Refused before any key lookup: other algorithms (HS256 keyed with our public key, none)
      // and absent kids must not cost a JWKS request.
      if (alg !== 'RS256') throw new JwksError('Only RS256 tokens are accepted', 'JWKS_BAD_HEADER');
      if (typeof kid !== 'string' || kid.length === 0 || kid.length > 256)
        throw new JwksError('The token names no signing key', 'JWKS_BAD_HEADER');
      return jwks.getKey(kid);
    },
    verify: {
      algorithms: ['RS256'],
      allowedIss: auth0.issuer,
      allowedAud: auth0.audience,
      // fast-jwt skips the iss/aud checks when the claim is absent, so they are required here.
      requiredClaims: ['iss', 'aud', 'sub', 'exp'],
      clockTolerance: CLOCK_TOLERANCE_MS,
    },
  };
}

/** How many verified tokens are remembered (LRU): about one per active user. */
const VERIFIED_TOKENS_CACHED = 10_000;

export function hs256JwtOptions(secret: string): FastifyJWTOptions {
  return {
    secret,
    verify: {
      algorithms: ['HS256'],
      requiredClaims: ['sub'],
      clockTolerance: CLOCK_TOLERANCE_MS,
      // A client sends the same token with every request: a token verified once is remembered
      // (fast-jwt's LRU, keyed by a hash of the token) until its expiry or for 10 minutes, whichever
      // is first. Failures are not cached: a bad token is checked, and refused, every time.
      cache: VERIFIED_TOKENS_CACHED,
    },
    sign: { algorithm: 'HS256' },
  };
}

/**
 * The stream tickets' key. JWT_SECRET (HS256 mode, or set beside Auth0 for this alone), else the
 * Auth0 client secret, else random: then tickets die with the process and are not shared between
 * instances. Derived, so a ticket key never equals a token key.
 */
export function ticketKey(auth: Config['auth'], fallbackSecret?: string): Buffer {
  const material = auth.jwtSecret ?? auth.auth0?.clientSecret ?? fallbackSecret;
  if (!material) return randomBytes(32);
  return Buffer.from(hkdfSync('sha256', material, 'ai-model-playground', 'stream-ticket-v1', 32));
}
