// Is a request from this machine? Every address it names must be loopback, proxies' forwarded ones too.
import type { FastifyRequest } from 'fastify';

const loopbackHostnames = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The Host header names this machine: a page reached by any other name (DNS rebinding) gets no token. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  return loopbackHostnames.has(hostname) || hostname.endsWith('.localhost');
}

const headerValues = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());

/** `for=` of RFC 7239: `for=203.0.113.9`, `for="[2001:db8::1]:443"`, `for=unknown`. */
function forwardedFor(value: string): string[] {
  return [...value.matchAll(/for=("[^"]*"|[^;,\s]*)/gi)].map((m) =>
    (m[1] ?? '')
      .replace(/^"|"$/g, '')
      .replace(/^\[([^\]]*)\](:\d+)?$/, '$1')
      .replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1'),
  );
}

/**
 * Every client address the request names: the socket's, Fastify's (request.ip, which follows the
 * trusted proxies of TRUST_PROXY) and each one a proxy added in X-Forwarded-For, X-Real-IP or
 * Forwarded, trusted or not. A local reverse proxy makes the socket loopback for a remote browser,
 * with or without TRUST_PROXY; only the addresses it forwards tell who is asking.
 */
function clientAddresses(request: FastifyRequest): (string | undefined)[] {
  const { headers } = request;
  return [
    request.socket.remoteAddress,
    request.ip,
    ...headerValues(headers['x-forwarded-for']).flatMap((v) => v.split(',')),
    ...headerValues(headers['x-real-ip']),
    ...headerValues(headers.forwarded).flatMap(forwardedFor),
  ].map((a) => a?.trim());
}

/** True when the socket and every client address the request forwards are this machine's. */
export const isLocalClient = (request: FastifyRequest) => clientAddresses(request).every(isLoopbackAddress);
