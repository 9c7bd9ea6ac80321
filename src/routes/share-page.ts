// The shared comparison page (public): /s/:shareId and its files under /share/, with the playground's CSP.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { shareIdParamsSchema } from '../schemas/shares.js';
import { playgroundCsp } from './playground.js';

/** public/share, from src/routes (tsx) and from dist/routes (compiled) alike. */
export const shareRoot = fileURLToPath(new URL('../../public/share/', import.meta.url));

const sharePageRoutes: FastifyPluginAsyncZod = async (app) => {
  // Encapsulated: the page's own files get these headers, not the API. No referrer, so the link's
  // secret id never leaves in a Referer header when a visitor follows a link in an answer.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', playgroundCsp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('x-robots-tag', 'noindex');
  });

  await app.register(fastifyStatic, {
    root: shareRoot,
    prefix: '/share/',
    index: false,
    wildcard: false,
    decorateReply: false,
  });

  app.get(
    '/s/:shareId',
    {
      schema: {
        tags: ['share'],
        summary: 'The page that shows a shared comparison',
        params: shareIdParamsSchema,
      },
    },
    async (request, reply) => {
      // The same page either way; a dead link answers 404 so that link checkers and crawlers see it.
      const live = await app.shares.isLive(request.params.shareId);
      const html = await readFile(join(shareRoot, 'index.html'), 'utf8');
      return reply
        .code(live ? 200 : 404)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(html);
    },
  );
};

export default sharePageRoutes;
