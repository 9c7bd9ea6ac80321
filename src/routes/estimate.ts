// POST /comparison/estimate (protected): what a comparison would cost, computed here without calling a model.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { loadTokenCounter } from '../providers/token-count.js';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { comparisonEstimateSchema, createEstimateBodySchema } from '../schemas/estimate.js';
import { firstTurnMessages } from '../services/comparison-service.js';
import { estimateComparison } from '../services/estimate.js';
import { resolveModels } from '../services/model-choice.js';

const estimateRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/comparison/estimate',
    {
      schema: {
        tags: ['comparison'],
        security: [{ bearerAuth: [] }],
        summary: 'Estimate a comparison: input tokens and min/max cost per model, with no model call',
        body: createEstimateBodySchema(app.config.limits),
        response: { 200: comparisonEstimateSchema, 400: errorEnvelopeSchema, 401: errorEnvelopeSchema },
      },
    },
    async (request) => {
      const { body } = request;
      const models = resolveModels(app.providers, body.modelIds);
      // The tokenizer loads on the first estimate, not at start-up.
      const counter = await loadTokenCounter();
      return estimateComparison(models, firstTurnMessages(body.prompt, body.system), body.maxTokens, counter);
    },
  );
};

export default estimateRoutes;
