// Model catalogue routes: the models this server can run now, given the configured providers.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ModelInfo } from '../providers/types.js';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { availableModelsSchema, type Model } from '../schemas/models.js';

export function toModel(m: ModelInfo): Model {
  return {
    id: m.id,
    provider: m.provider,
    name: m.name,
    pricing: {
      inputPerMillion: m.pricing.inputPerMillion,
      outputPerMillion: m.pricing.outputPerMillion,
      ...(m.pricing.cachedInputPerMillion === undefined
        ? {}
        : { cachedInputPerMillion: m.pricing.cachedInputPerMillion }),
    },
    contextWindow: m.contextWindow,
    defaultMaxTokens: m.defaultMaxTokens,
    simulated: m.provider === 'demo',
    priceSource: m.priceSource,
  };
}

// Registered inside the protected context (src/app.ts): the contract requires a bearer token here.
const modelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/comparison/models/available',
    {
      schema: {
        tags: ['models'],
        summary: 'Models whose provider is configured, with prices per million tokens',
        security: [{ bearerAuth: [] }],
        response: { 200: availableModelsSchema, 401: errorEnvelopeSchema },
      },
    },
    async () => app.providers.available().map(toModel),
  );
};

export default modelRoutes;
