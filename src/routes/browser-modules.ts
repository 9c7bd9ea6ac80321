// Browser modules of the app's pages (public): our own under /common/, marked and DOMPurify under /vendor/.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** public/common, from src/routes (tsx) and from dist/routes (compiled) alike. */
export const commonRoot = fileURLToPath(new URL('../../public/common/', import.meta.url));

/**
 * The packages' own ES module builds, found where npm installed them: no copy step, no CDN, and an
 * `npm install` of a new version serves the new file. `require.resolve` gives marked's ESM entry and
 * DOMPurify's CommonJS one, whose folder holds its ESM build too.
 */
const require = createRequire(import.meta.url);
export const vendorFiles = {
  'marked.js': { dir: dirname(require.resolve('marked')), file: 'marked.esm.js' },
  'purify.js': { dir: dirname(require.resolve('dompurify')), file: 'purify.es.mjs' },
} as const;

const browserModuleRoutes: FastifyPluginAsync = async (app) => {
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  // Encapsulated here, so reply.sendFile exists in this context only (the playground's has none).
  await app.register(fastifyStatic, { root: commonRoot, prefix: '/common/', wildcard: false });

  for (const [name, { dir, file }] of Object.entries(vendorFiles)) {
    app.get(`/vendor/${name}`, { schema: { hide: true } }, (_request, reply) =>
      // ETag and Last-Modified from @fastify/static: a browser revalidates and gets 304 until an upgrade.
      reply.header('cache-control', 'public, max-age=0, must-revalidate').sendFile(file, dir),
    );
  }
};

export default browserModuleRoutes;
