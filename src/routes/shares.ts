// Share link routes: make and revoke a link (protected), read a shared snapshot (public, no token).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { sessionIdParamsSchema } from '../schemas/comparison.js';
import { sharedComparisonSchema, shareIdParamsSchema, shareLinkSchema } from '../schemas/shares.js';

const tags = ['share'];
const security = [{ bearerAuth: [] }];

/** Registered inside the protected context: request.user is set. */
export const shareProtectedRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/comparison/:id/share',
    {
      schema: {
        tags,
        security,
        summary:
          'A read-only link to a snapshot of an ended comparison (201; 200 with the live link if one exists)',
        params: sessionIdParamsSchema,
        response: {
          200: shareLinkSchema,
          201: shareLinkSchema,
          400: errorEnvelopeSchema,
          404: errorEnvelopeSchema,
          409: errorEnvelopeSchema.describe('The comparison is still running, or blind and not revealed'),
        },
      },
    },
    async (request, reply) => {
      const { created, ...link } = await app.shares.share(request.user.id, request.params.id);
      return reply.code(created ? 201 : 200).send(link);
    },
  );

  app.delete(
    '/comparison/:id/share',
    {
      schema: {
        tags,
        security,
        summary:
          "Revoke the comparison's share link: it answers 404 from now on (204 also when there was none)",
        params: sessionIdParamsSchema,
        response: {
          204: z.undefined().describe('Revoked: no body'),
          400: errorEnvelopeSchema,
          404: errorEnvelopeSchema,
        },
      },
    },
    async (request, reply) => {
      await app.shares.revoke(request.user.id, request.params.id);
      return reply.code(204).send();
    },
  );
};

/** Public: whoever holds the link reads the snapshot, and nothing else of the owner's. */
export const sharePublicRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/shared/:shareId',
    {
      schema: {
        tags,
        summary: 'A shared comparison: no token needed; 404 once revoked',
        params: shareIdParamsSchema,
        response: { 200: sharedComparisonSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request, reply) => {
      const shared = await app.shares.read(request.params.shareId);
      // Not cached anywhere, so a revoke takes effect at once; not indexed, the link is not public.
      return reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex').send(shared);
    },
  );
};
