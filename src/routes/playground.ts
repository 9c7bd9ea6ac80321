// The playground page (public): static files under /playground with a strict CSP, and its dev-token config.
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isLocalClient, isLoopbackHost } from '../auth/loopback.js';
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

/**
 * The dev token goes only to a browser on this machine, in development, when the auth plugin made one:
 * it is the token the server printed at start-up, so this discloses nothing a local user can't read.
 */
function devTokenFor(request: FastifyRequest, token: string | null, env: string): string | null {
  if (env !== 'development' || !token) return null;
  if (!isLocalClient(request) || !isLoopbackHost(request.headers.host)) return null;
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
