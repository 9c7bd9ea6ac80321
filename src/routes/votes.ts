// Judging routes (protected): vote on or reveal a comparison, the leaderboard, the votes as Arena battles.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { sessionIdParamsSchema } from '../schemas/comparison.js';
import {
  leaderboardQuerySchema,
  leaderboardSchema,
  revealResultSchema,
  voteBodySchema,
  voteResultSchema,
} from '../schemas/votes.js';

const tags = ['judging'];
const security = [{ bearerAuth: [] }];
const errors = { 400: errorEnvelopeSchema, 404: errorEnvelopeSchema, 409: errorEnvelopeSchema };

const voteRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/comparison/:id/vote',
    {
      schema: {
        tags,
        security,
        summary: 'Vote for an answer, a tie or all bad; a blind comparison is revealed by its one vote',
        params: sessionIdParamsSchema,
        body: voteBodySchema,
        response: { 200: voteResultSchema, ...errors },
      },
    },
    async (request) => app.votes.vote(request.user.id, request.params.id, request.body),
  );

  app.post(
    '/comparison/:id/reveal',
    {
      schema: {
        tags,
        security,
        summary: 'Reveal a blind comparison without voting (a later vote counts as named)',
        params: sessionIdParamsSchema,
        response: { 200: revealResultSchema, ...errors },
      },
    },
    async (request) => app.votes.reveal(request.user.id, request.params.id),
  );

  app.get(
    '/leaderboard',
    {
      schema: {
        tags,
        security,
        summary: 'Bradley-Terry ratings (Elo scale) with seeded bootstrap 95% intervals',
        querystring: leaderboardQuerySchema,
        response: { 200: leaderboardSchema, 400: errorEnvelopeSchema },
      },
    },
    async (request) => app.votes.leaderboard(request.user.id, request.query.scope, request.query.mode),
  );

  app.get(
    '/votes/export',
    { schema: { tags, security, summary: "The user's votes as Chatbot Arena battles (NDJSON)" } },
    async (request, reply) =>
      reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', 'attachment; filename="votes.ndjson"')
        .send(await app.votes.exportNdjson(request.user.id)),
  );
};

export default voteRoutes;
