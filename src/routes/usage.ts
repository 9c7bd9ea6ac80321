// GET /me/usage (protected): the user's spend today and this month, what is left, and by model.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { usageSchema } from '../schemas/usage.js';

const usageRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me/usage',
    {
      schema: {
        tags: ['usage'],
        security: [{ bearerAuth: [] }],
        summary: "Today's and this month's spend (UTC) against the budgets, and this month's by model",
        response: { 200: usageSchema, 401: errorEnvelopeSchema },
      },
    },
    async (request) => app.budgets.usage(request.user.id, new Date()),
  );
};

export default usageRoutes;
