// The export route (protected): a comparison downloaded as JSON, CSV or Markdown.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { sessionIdParamsSchema } from '../schemas/comparison.js';
import { exportQuerySchema } from '../schemas/comparison-export.js';
import { attachmentHeader, exportFileName } from '../services/export/file-name.js';
import { exportFormats } from '../services/export/formats.js';

/** Registered inside the protected context: request.user is set. */
const comparisonExportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/comparison/:id/export',
    {
      schema: {
        tags: ['comparison'],
        security: [{ bearerAuth: [] }],
        summary: 'Download a comparison (Content-Disposition: attachment) as JSON, CSV or Markdown',
        params: sessionIdParamsSchema,
        querystring: exportQuerySchema,
        response: {
          // A string with its own content type is sent as it is: Fastify serialises only objects.
          200: z.string().describe("The file's text, in the format's media type"),
          400: errorEnvelopeSchema,
          404: errorEnvelopeSchema,
        },
      },
    },
    async (request, reply) => {
      const session = await app.comparisons.get(request.user.id, request.params.id);
      const format = exportFormats[request.query.format];
      return (
        reply
          .header('content-type', format.contentType)
          .header('content-disposition', attachmentHeader(exportFileName(session, format.ext)))
          // The user's own data: kept out of shared caches, and never sniffed into something else.
          .header('cache-control', 'private, no-store')
          .header('x-content-type-options', 'nosniff')
          .send(format.render(session))
      );
    },
  );
};

export default comparisonExportRoutes;
