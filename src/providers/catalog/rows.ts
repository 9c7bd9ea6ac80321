// The catalogue's row builders: price sources, capability presets and the frozen rows every app shares.
import type { ModelCapabilities, ModelInfo } from '../types.js';

// Prices change; each row says where it was read. Update the row and its priceSource together.
export const OPENAI_PRICES =
  'OpenAI API pricing page (platform.openai.com/docs/pricing), as of November 2025';
export const ANTHROPIC_PRICES = 'Anthropic pricing page (claude.com/pricing#api), as of November 2025';
// Read from third-party price lists that quote Anthropic's page (the page itself was not reachable here).
export const ANTHROPIC_PRICES_2026 =
  "Anthropic's list prices as quoted by public price trackers (apidog.com, deploybase.ai), as of March 2026";
// The newer models' rows were read from this package's bundled data (we do not depend on it at run
// time), cross-checked with the list prices on both providers' model overview pages where shown.
export const GENAI_PRICES =
  "The providers' pricing pages as collected in @pydantic/genai-prices 0.1.8 (2026-09-23), as of September 2026";
export const GENAI_PRICES_AS_OF = '2026-09-23';
export const SIMULATED = 'Simulated locally by the demo provider: free';

export type Row = Omit<ModelInfo, 'provider' | 'priceSource' | 'priceAsOf' | 'pricing'> & {
  pricing: NonNullable<ModelInfo['pricing']>;
};

/** Reasoning models (o-series, gpt-5 family) take `max_completion_tokens` and reject `temperature`. */
export const REASONING: ModelCapabilities = Object.freeze({
  temperature: false,
  maxTokensParam: 'max_completion_tokens',
});
/** Chat models take `max_tokens` and a temperature. */
export const CHAT: ModelCapabilities = Object.freeze({ temperature: true, maxTokensParam: 'max_tokens' });

/** Rows are shared by every app in the process: frozen, so no app can change another's prices. */
const freeze = (model: ModelInfo): ModelInfo =>
  Object.freeze({ ...model, pricing: model.pricing && Object.freeze(model.pricing) });

export const openai = (row: Row, priceSource = OPENAI_PRICES, priceAsOf = '2025-11-01') =>
  freeze({ ...row, provider: 'openai', priceSource, priceAsOf });
/** Anthropic cache writes (5-minute TTL) cost 1.25x the input price, 1-hour ones 2x; reads 0.1x. */
export const anthropic = (row: Row, priceSource = ANTHROPIC_PRICES, priceAsOf = '2025-11-01') =>
  freeze({
    ...row,
    pricing: { ...row.pricing, cacheWrite1hInputPerMillion: row.pricing.inputPerMillion * 2 },
    provider: 'anthropic',
    priceSource,
    priceAsOf,
  });
export const demo = (row: Row) =>
  freeze({ ...row, provider: 'demo', priceSource: SIMULATED, priceAsOf: null });
