// Stream tickets: short-lived, signed, bound to one user and one session; deliberately not a JWT,
// so a ticket can never pass as a bearer token and a bearer token can never pass as a ticket.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TicketClaims {
  userId: string;
  sessionId: string;
  expiresAt: number;
}

export class TicketError extends Error {
  override name = 'TicketError';
}

const PREFIX = 'st1';

export function createTicketSigner(key: Buffer, ttlSeconds: number, now: () => number = Date.now) {
  const mac = (body: string) => createHmac('sha256', key).update(`${PREFIX}.${body}`).digest('base64url');

  return {
    ttlSeconds,
    sign(userId: string, sessionId: string): string {
      const claims = { u: userId, s: sessionId, e: Math.floor(now() / 1000) + ttlSeconds };
      const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${PREFIX}.${body}.${mac(body)}`;
    },
    /** Returns the user the ticket was issued to, or throws TicketError. */
    verify(ticket: string, sessionId: string): TicketClaims {
      const [prefix, body, signature, ...rest] = ticket.split('.');
      if (prefix !== PREFIX || !body || !signature || rest.length > 0)
        throw new TicketError('Malformed stream ticket');
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
        throw new TicketError('Invalid stream ticket');
      }
      let claims: { u?: unknown; s?: unknown; e?: unknown };
      try {
        claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw new TicketError('Malformed stream ticket');
      }
      if (typeof claims.u !== 'string' || typeof claims.s !== 'string' || typeof claims.e !== 'number') {
        throw new TicketError('Malformed stream ticket');
      }
      if (claims.s !== sessionId) throw new TicketError('This stream ticket is for another comparison');
      if (claims.e * 1000 <= now())
        throw new TicketError('Stream ticket expired; fetch the comparison again for a new one');
      return { userId: claims.u, sessionId: claims.s, expiresAt: claims.e };
    },
  };
}

export type TicketSigner = ReturnType<typeof createTicketSigner>;
