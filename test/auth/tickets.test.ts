// Stream tickets: bound to one user and one session, short-lived, and useless once altered.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTicketSigner, TicketError } from '../../src/auth/tickets.js';
import { signHs256 } from '../support/tokens.js';

const key = randomBytes(32);

describe('stream tickets', () => {
  it('verify returns the user the ticket was signed for', () => {
    const signer = createTicketSigner(key, 60);
    const ticket = signer.sign('user-1', 'session-1');
    expect(signer.verify(ticket, 'session-1')).toMatchObject({ userId: 'user-1', sessionId: 'session-1' });
  });

  it('is refused for another session', () => {
    const signer = createTicketSigner(key, 60);
    expect(() => signer.verify(signer.sign('user-1', 'session-1'), 'session-2')).toThrow(
      /another comparison/,
    );
  });

  it('expires after its TTL, by the clock it was given', () => {
    let now = 1_700_000_000_000;
    const signer = createTicketSigner(key, 60, () => now);
    const ticket = signer.sign('user-1', 'session-1');
    now += 59_000;
    expect(signer.verify(ticket, 'session-1').userId).toBe('user-1');
    now += 1_000;
    expect(() => signer.verify(ticket, 'session-1')).toThrow(/expired/);
  });

  it('is refused when any part is altered', () => {
    const signer = createTicketSigner(key, 60);
    const ticket = signer.sign('user-1', 'session-1');
    const [prefix, body, mac] = ticket.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ u: 'user-2', s: 'session-1', e: 9_999_999_999 })).toString(
      'base64url',
    );
    const flip = (s: string) => `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    for (const bad of [
      `${prefix}.${forged}.${mac}`,
      `${prefix}.${body}.${flip(mac)}`,
      `${prefix}.${flip(body)}.${mac}`,
      `st2.${body}.${mac}`,
      `${ticket}.extra`,
      `${prefix}.${body}`,
      '',
    ])
      expect(() => signer.verify(bad, 'session-1')).toThrow(TicketError);
  });

  it('a ticket from another key is refused', () => {
    const other = createTicketSigner(randomBytes(32), 60).sign('user-1', 'session-1');
    expect(() => createTicketSigner(key, 60).verify(other, 'session-1')).toThrow(/Invalid/);
  });

  it('a JWT is not a ticket', () => {
    const signer = createTicketSigner(key, 60);
    expect(() => signer.verify(signHs256({ sub: 'user-1' }), 'session-1')).toThrow(TicketError);
  });
});
