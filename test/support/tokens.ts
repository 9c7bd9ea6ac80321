// Test tokens, really signed: HS256 with the test secret, RS256 with a key pair, and malformed ones.
import { createHmac, type KeyObject, sign } from 'node:crypto';
import { TEST_JWT_SECRET } from '../helper.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** iat now and exp in ten minutes, unless the payload says otherwise (`exp: undefined` drops it). */
export function withTimes(payload: Record<string, unknown>): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iat: now, exp: now + 600, ...payload };
}

/** `header.payload` with any header and any JSON payload (arrays too), not signed. */
export function signingInput(header: Record<string, unknown>, payload: unknown): string {
  return `${b64url(header)}.${b64url(payload)}`;
}

/** An HS256 JWT; objects get iat/exp added (see withTimes), anything else is signed as given. */
export function signHs256(
  payload: unknown,
  secret: string = TEST_JWT_SECRET,
  header: Record<string, unknown> = {},
): string {
  const body = isObject(payload) ? withTimes(payload) : payload;
  const input = signingInput({ alg: 'HS256', typ: 'JWT', ...header }, body);
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export interface Rs256Key {
  privateKey: KeyObject;
  kid: string;
}

/** An RS256 JWT signed with `key`, its kid in the header; objects get iat/exp added. */
export function signRs256(payload: unknown, key: Rs256Key, header: Record<string, unknown> = {}): string {
  const body = isObject(payload) ? withTimes(payload) : payload;
  const input = signingInput({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header }, body);
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** `alg: none`, with an empty signature. */
export function unsignedJwt(payload: unknown, header: Record<string, unknown> = {}): string {
  const body = isObject(payload) ? withTimes(payload) : payload;
  return `${signingInput({ alg: 'none', typ: 'JWT', ...header }, body)}.`;
}

/** `Bearer <HS256 token>` for user `sub` (email `<sub>@example.com`, name `sub`), for HS256 test apps. */
export function bearer(sub: string, extra: Record<string, unknown> = {}, secret?: string): string {
  return `Bearer ${signHs256({ sub, email: `${sub}@example.com`, name: sub, ...extra }, secret)}`;
}

/** Headers for inject: `{ authorization: bearer(sub) }`. */
export function authHeaders(sub: string, extra: Record<string, unknown> = {}): { authorization: string } {
  return { authorization: bearer(sub, extra) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
