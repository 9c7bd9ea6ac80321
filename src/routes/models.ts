// Model catalogue routes: the models this server can run now, given the configured endpoints.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Endpoint, ModelInfo } from '../providers/types.js';
import { errorEnvelopeSchema } from '../schemas/common.js';
import { availableModelsSchema, type Model } from '../schemas/models.js';

export function toModel(m: ModelInfo, endpoint: Pick<Endpoint, 'id' | 'name'> | undefined): Model {
  const p = m.pricing;
  return {
    id: m.id,
    provider: m.provider,
    name: m.name,
    endpoint: { id: endpoint?.id ?? m.provider, name: endpoint?.name ?? m.provider },
    pricing: p && {
      inputPerMillion: p.inputPerMillion,
      outputPerMillion: p.outputPerMillion,
      ...(p.cachedInputPerMillion === undefined ? {} : { cachedInputPerMillion: p.cachedInputPerMillion }),
      ...(p.cacheWriteInputPerMillion === undefined
        ? {}
        : { cacheWriteInputPerMillion: p.cacheWriteInputPerMillion }),
    },
    priceSource: m.priceSource,
    priceAsOf: m.priceAsOf,
    contextWindow: m.contextWindow,
    defaultMaxTokens: m.defaultMaxTokens,
    acceptsTemperature: m.capabilities.temperature,
    simulated: m.provider === 'demo',
  };
}

// Registered inside the protected context (src/app.ts): the contract requires a bearer token here.
const modelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/comparison/models/available',
    {
      schema: {
        tags: ['models'],
        summary: 'Models whose endpoint is configured, with prices per million tokens',
        security: [{ bearerAuth: [] }],
        response: { 200: availableModelsSchema, 401: errorEnvelopeSchema },
      },
    },
    async () => app.providers.available().map((m) => toModel(m, app.providers.endpointOf(m))),
  );
};

export default modelRoutes;
