// A minimal HS256 JWT signer for tests that talk to a server process and have no app instance.
import { createHmac } from 'node:crypto';

export function signHs256(payload: Record<string, unknown>, secret: string, ttlSeconds = 600): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iat: now, exp: now + ttlSeconds, ...payload })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
