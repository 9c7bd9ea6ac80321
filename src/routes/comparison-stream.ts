// The SSE stream of one comparison: authenticated by its ticket (or a bearer token), resumable.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Errors } from '../errors.js';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { sessionIdParamsSchema, streamQuerySchema } from '../schemas/comparison.js';

const eventIdPattern = /^\d{1,15}$/;

/** `Last-Event-ID` as EventSource sends it on a reconnect, or `?lastEventId=` for clients that can't. */
function lastEventIdOf(header: string | string[] | undefined, query: number | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && value.trim() !== '') {
    if (!eventIdPattern.test(value.trim()))
      throw new Errors.BadRequest('Last-Event-ID must be the id of an event of this stream');
    return Number(value.trim());
  }
  return query ?? 0;
}

const comparisonStreamRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addHook('onRequest', app.authenticateStream);
  app.get(
    '/comparison/:id/stream',
    {
      // A HEAD request would hold an event stream open with nothing to show for it.
      exposeHeadRoute: false,
      schema: {
        tags: ['comparison'],
        security: [{ bearerAuth: [] }, {}],
        summary:
          'Server-Sent Events: model_chunk, model_complete, model_error, then comparison_complete or comparison_error',
        description:
          'Authenticate with the `ticket` of streamUrl, or a bearer token. Resume with Last-Event-ID; 204 once the final event was seen.',
        params: sessionIdParamsSchema,
        querystring: streamQuerySchema,
        response: { 400: errorEnvelopeSchema, 401: errorEnvelopeSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request, reply) => {
      const lastEventId = lastEventIdOf(request.headers['last-event-id'], request.query.lastEventId);
      return app.comparisons.stream(request, reply, request.user.id, request.params.id, lastEventId);
    },
  );
};

export default comparisonStreamRoutes;
