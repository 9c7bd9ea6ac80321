// HS256 bearer tokens for the benchmark's many users, signed with the JWT_SECRET given to the server.
import { createHmac } from 'node:crypto';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signToken(secret: string, sub: string, ttlSeconds = 3600): string {
  const iat = Math.floor(Date.now() / 1000);
  const body = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub, iat, exp: iat + ttlSeconds })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** One token per user, signed once: signing is the load generator's work, not the server's. */
export function tokenRing(secret: string, prefix: string) {
  const tokens = new Map<number, string>();
  return (user: number) => {
    let token = tokens.get(user);
    if (!token) {
      token = signToken(secret, `${prefix}-${user}`);
      tokens.set(user, token);
    }
    return token;
  };
}
