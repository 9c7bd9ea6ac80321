// The playground page (public): static files under /playground with a strict CSP, and its dev-token config.
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { playgroundConfigSchema } from '../schemas/playground.js';

/** public/playground, from src/routes (tsx) and from dist/routes (compiled) alike. */
export const playgroundRoot = fileURLToPath(new URL('../../public/playground/', import.meta.url));

// Same-origin scripts, styles and API calls only: no inline code, no third-party assets, no framing.
export const playgroundCsp = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const loopbackHostnames = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The Host header names this machine: a page reached by any other name (DNS rebinding) gets no token. */
function isLoopbackHost(host: string | undefined): boolean {
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

/**
 * The dev token goes only to a browser on this machine, in development, when the auth plugin made one:
 * it is the token the server printed at start-up, so this discloses nothing a local user can't read.
 */
function devTokenFor(request: FastifyRequest, token: string | null, env: string): string | null {
  if (env !== 'development' || !token) return null;
  if (!clientAddresses(request).every(isLoopbackAddress) || !isLoopbackHost(request.headers.host))
    return null;
  return token;
}

const playgroundRoutes: FastifyPluginAsyncZod = async (app) => {
  // Encapsulated: these headers apply to the page's own files only, not to the API.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', playgroundCsp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
  });

  app.get(
    '/playground/config.json',
    { schema: { tags: ['playground'], response: { 200: playgroundConfigSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { devToken: devTokenFor(request, app.devToken, app.config.env) };
    },
  );

  // One route per file, found at start-up; `/playground` and `/playground/` both answer index.html.
  await app.register(fastifyStatic, {
    root: playgroundRoot,
    prefix: '/playground/',
    index: 'index.html',
    wildcard: false,
    decorateReply: false,
  });
};

export default playgroundRoutes;
