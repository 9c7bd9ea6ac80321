// The JSON export: the session as GET /comparison/:id returns it, less its stream ticket.

/**
 * `streamUrl` carries a signed ticket, a credential for the stream: a downloaded file gets passed
 * around, so it is left out. Everything else is as the API returns it.
 */
export function toJson<T extends { streamUrl?: string }>(session: T): string {
  const { streamUrl: _ticket, ...rest } = session;
  return `${JSON.stringify(rest, null, 2)}\n`;
}
