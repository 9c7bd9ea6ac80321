// The SSE stream of one comparison: authenticated by its ticket (or a bearer token), resumable.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Errors } from '../errors.js';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { sessionIdParamsSchema, streamQuerySchema } from '../schemas/comparison.js';
import { SseSubscriber } from '../services/sse-subscriber.js';

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

/**
 * Writes the SSE head itself after `reply.hijack()`, merging the headers that hooks already set
 * (CORS, rate limit, request id): `writeHead` alone would drop them and break cross-origin clients.
 */
export function openEventStream(request: FastifyRequest, reply: FastifyReply): ServerResponse {
  reply.hijack();
  const res = reply.raw;
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) headers[name] = value;
  res.writeHead(200, {
    ...headers,
    'x-request-id': request.id,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Frames are small and latency matters more than packet count.
  request.raw.socket?.setNoDelay(true);
  return res;
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
          'Server-Sent Events: model_chunk, model_reasoning, model_complete, model_error, then comparison_complete or comparison_error',
        description:
          'Authenticate with the `ticket` of streamUrl, or a bearer token. Resume with Last-Event-ID; 204 once the final event was seen.',
        params: sessionIdParamsSchema,
        querystring: streamQuerySchema,
        response: {
          204: z.null().meta({ description: 'The final event was seen already: nothing more to send' }),
          400: errorEnvelopeSchema,
          401: errorEnvelopeSchema,
          404: errorEnvelopeSchema,
          503: errorEnvelopeSchema,
        },
      },
    },
    async (request, reply) => {
      const lastEventId = lastEventIdOf(request.headers['last-event-id'], request.query.lastEventId);
      const target = await app.comparisons.streamTarget(request.user.id, request.params.id, lastEventId);
      // 204 tells EventSource to stop reconnecting: the client has seen the final event.
      if (target.kind === 'ended') return reply.code(204).send(null);
      const res = openEventStream(request, reply);
      app.streamClients.add(
        new SseSubscriber(res, target.log, lastEventId, app.streamClients.options, request.log, target.view),
      );
    },
  );
};

export default comparisonStreamRoutes;
