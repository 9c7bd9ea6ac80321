// Comparison routes (protected): start one, read one, list the history, cancel one.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../schemas/common.js';
import {
  cancelledSchema,
  comparisonSchema,
  comparisonSummarySchema,
  continueComparisonBodySchema,
  createComparisonBodySchema,
  createdComparisonSchema,
  listQuerySchema,
  sessionIdParamsSchema,
} from '../schemas/comparison.js';

const tags = ['comparison'];
const security = [{ bearerAuth: [] }];

/** Registered inside the protected context: request.user is set. */
const comparisonRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/comparison',
    {
      schema: {
        tags,
        security,
        summary: 'Start a comparison: every model at once; watch it on streamUrl',
        body: createComparisonBodySchema(app.config.limits),
        response: {
          201: createdComparisonSchema,
          400: errorEnvelopeSchema,
          429: errorEnvelopeSchema,
          503: errorEnvelopeSchema,
        },
      },
    },
    async (request, reply) => {
      const created = await app.comparisons.start(request.user.id, request.body);
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/comparison/:id/continue',
    {
      schema: {
        tags,
        security,
        summary:
          'A follow-up turn: each model gets the conversation so far with its own earlier answers; watch it on streamUrl',
        params: sessionIdParamsSchema,
        body: continueComparisonBodySchema(app.config.limits),
        response: {
          201: createdComparisonSchema,
          400: errorEnvelopeSchema,
          404: errorEnvelopeSchema,
          409: errorEnvelopeSchema,
          429: errorEnvelopeSchema,
          503: errorEnvelopeSchema,
        },
      },
    },
    async (request, reply) => {
      const created = await app.conversations.continue(request.user.id, request.params.id, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/comparison',
    {
      schema: {
        tags,
        security,
        summary: "The user's comparisons, newest first; the total in X-Total-Count",
        querystring: listQuerySchema,
        response: { 200: comparisonSummarySchema.array(), 400: errorEnvelopeSchema },
      },
    },
    async (request, reply) => {
      const { limit, offset } = request.query;
      const { total, items } = await app.comparisons.list(request.user.id, limit, offset);
      return reply.header('x-total-count', String(total)).send(items);
    },
  );

  app.get(
    '/comparison/:id',
    {
      schema: {
        tags,
        security,
        summary: 'One comparison with every model response and the totals',
        params: sessionIdParamsSchema,
        response: { 200: comparisonSchema, 400: errorEnvelopeSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request) => app.comparisons.get(request.user.id, request.params.id),
  );

  app.post(
    '/comparison/:id/cancel',
    {
      schema: {
        tags,
        security,
        summary:
          'Cancel a running comparison (its upstream requests are aborted); a finished one answers with its final status',
        params: sessionIdParamsSchema,
        response: { 202: cancelledSchema, 400: errorEnvelopeSchema, 404: errorEnvelopeSchema },
      },
    },
    async (request, reply) => {
      const result = await app.comparisons.cancel(request.user.id, request.params.id);
      return reply.code(202).send(result);
    },
  );
};

export default comparisonRoutes;
