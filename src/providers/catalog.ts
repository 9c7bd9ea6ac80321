// The model catalogue as data: ids, upstream names, prices per million tokens, limits and price sources.
import type { ModelCapabilities, ModelInfo } from './types.js';

// Prices change; each row says where it was read. Update the row and its priceSource together.
const OPENAI_PRICES = 'OpenAI API pricing page (platform.openai.com/docs/pricing), as of November 2025';
const ANTHROPIC_PRICES = 'Anthropic pricing page (claude.com/pricing#api), as of November 2025';
// Read from third-party price lists that quote Anthropic's page (the page itself was not reachable here).
const ANTHROPIC_PRICES_2026 =
  "Anthropic's list prices as quoted by public price trackers (apidog.com, deploybase.ai), as of March 2026";
// The newer models' rows were read from this package's bundled data (we do not depend on it at run
// time), cross-checked with the list prices on both providers' model overview pages where shown.
const GENAI_PRICES =
  "The providers' pricing pages as collected in @pydantic/genai-prices 0.1.8 (2026-09-23), as of September 2026";
const GENAI_PRICES_AS_OF = '2026-09-23';
const SIMULATED = 'Simulated locally by the demo provider: free';

type Row = Omit<ModelInfo, 'provider' | 'priceSource' | 'priceAsOf' | 'pricing'> & {
  pricing: NonNullable<ModelInfo['pricing']>;
};

/** Reasoning models (o-series, gpt-5 family) take `max_completion_tokens` and reject `temperature`. */
const REASONING: ModelCapabilities = Object.freeze({
  temperature: false,
  maxTokensParam: 'max_completion_tokens',
});
/** Chat models take `max_tokens` and a temperature. */
const CHAT: ModelCapabilities = Object.freeze({ temperature: true, maxTokensParam: 'max_tokens' });

/** Rows are shared by every app in the process: frozen, so no app can change another's prices. */
const freeze = (model: ModelInfo): ModelInfo =>
  Object.freeze({ ...model, pricing: model.pricing && Object.freeze(model.pricing) });

const openai = (row: Row, priceSource = OPENAI_PRICES, priceAsOf = '2025-11-01') =>
  freeze({ ...row, provider: 'openai', priceSource, priceAsOf });
/** Anthropic cache writes (5-minute TTL) cost 1.25x the input price, 1-hour ones 2x; reads 0.1x. */
const anthropic = (row: Row, priceSource = ANTHROPIC_PRICES, priceAsOf = '2025-11-01') =>
  freeze({
    ...row,
    pricing: { ...row.pricing, cacheWrite1hInputPerMillion: row.pricing.inputPerMillion * 2 },
    provider: 'anthropic',
    priceSource,
    priceAsOf,
  });
const demo = (row: Row) => freeze({ ...row, provider: 'demo', priceSource: SIMULATED, priceAsOf: null });

export const catalog: readonly ModelInfo[] = Object.freeze([
  // OpenAI: current
  openai(
    {
      id: 'gpt-5.5',
      name: 'GPT-5.5',
      upstreamModel: 'gpt-5.5',
      pricing: { inputPerMillion: 5, outputPerMillion: 30, cachedInputPerMillion: 0.5 },
      contextWindow: 1_000_000,
      defaultMaxTokens: 16_384,
      capabilities: REASONING,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  openai(
    {
      id: 'gpt-5.4',
      name: 'GPT-5.4',
      upstreamModel: 'gpt-5.4',
      pricing: { inputPerMillion: 2.5, outputPerMillion: 15, cachedInputPerMillion: 0.25 },
      contextWindow: 1_050_000,
      defaultMaxTokens: 16_384,
      capabilities: REASONING,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  openai(
    {
      id: 'gpt-5.4-mini',
      name: 'GPT-5.4 mini',
      upstreamModel: 'gpt-5.4-mini',
      pricing: { inputPerMillion: 0.75, outputPerMillion: 4.5, cachedInputPerMillion: 0.075 },
      contextWindow: 400_000,
      defaultMaxTokens: 16_384,
      capabilities: REASONING,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  openai(
    {
      id: 'gpt-5.4-nano',
      name: 'GPT-5.4 nano',
      upstreamModel: 'gpt-5.4-nano',
      pricing: { inputPerMillion: 0.2, outputPerMillion: 1.25, cachedInputPerMillion: 0.02 },
      contextWindow: 400_000,
      defaultMaxTokens: 16_384,
      capabilities: REASONING,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  openai(
    {
      id: 'gpt-5.2',
      name: 'GPT-5.2',
      upstreamModel: 'gpt-5.2',
      pricing: { inputPerMillion: 1.75, outputPerMillion: 14, cachedInputPerMillion: 0.175 },
      contextWindow: 400_000,
      defaultMaxTokens: 16_384,
      capabilities: REASONING,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  openai(
    {
      id: 'gpt-5.1',
      name: 'GPT-5.1',
      upstreamModel: 'gpt-5.1',
      pricing: { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 },
      contextWindow: 400_000,
      defaultMaxTokens: 16_384,
      capabilities: REASONING,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  openai({
    id: 'gpt-5',
    name: 'GPT-5',
    upstreamModel: 'gpt-5',
    pricing: { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 },
    contextWindow: 400_000,
    // Reasoning tokens count against max_completion_tokens, so reasoning models get more room.
    defaultMaxTokens: 16_384,
    capabilities: REASONING,
  }),
  openai({
    id: 'gpt-5-mini',
    name: 'GPT-5 mini',
    upstreamModel: 'gpt-5-mini',
    pricing: { inputPerMillion: 0.25, outputPerMillion: 2, cachedInputPerMillion: 0.025 },
    contextWindow: 400_000,
    defaultMaxTokens: 16_384,
    capabilities: REASONING,
  }),
  openai({
    id: 'gpt-5-nano',
    name: 'GPT-5 nano',
    upstreamModel: 'gpt-5-nano',
    pricing: { inputPerMillion: 0.05, outputPerMillion: 0.4, cachedInputPerMillion: 0.005 },
    contextWindow: 400_000,
    defaultMaxTokens: 16_384,
    capabilities: REASONING,
  }),
  openai({
    id: 'gpt-4.1',
    name: 'GPT-4.1',
    upstreamModel: 'gpt-4.1',
    pricing: { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
    contextWindow: 1_047_576,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  openai({
    id: 'gpt-4.1-mini',
    name: 'GPT-4.1 mini',
    upstreamModel: 'gpt-4.1-mini',
    pricing: { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 },
    contextWindow: 1_047_576,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  openai({
    id: 'gpt-4o',
    name: 'GPT-4o',
    upstreamModel: 'gpt-4o',
    pricing: { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
    contextWindow: 128_000,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  openai({
    id: 'gpt-4o-mini',
    name: 'GPT-4o mini',
    upstreamModel: 'gpt-4o-mini',
    pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
    contextWindow: 128_000,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  openai({
    id: 'o3',
    name: 'o3',
    upstreamModel: 'o3',
    pricing: { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
    contextWindow: 200_000,
    defaultMaxTokens: 16_384,
    capabilities: REASONING,
  }),
  openai({
    id: 'o4-mini',
    name: 'o4-mini',
    upstreamModel: 'o4-mini',
    pricing: { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275 },
    contextWindow: 200_000,
    defaultMaxTokens: 16_384,
    capabilities: REASONING,
  }),
  // OpenAI: legacy ids earlier clients of this API send
  openai({
    id: 'gpt-4',
    name: 'GPT-4',
    upstreamModel: 'gpt-4',
    pricing: { inputPerMillion: 30, outputPerMillion: 60 },
    contextWindow: 8192,
    defaultMaxTokens: 2048,
    capabilities: CHAT,
  }),
  openai({
    id: 'gpt-3.5-turbo',
    name: 'GPT-3.5 Turbo',
    upstreamModel: 'gpt-3.5-turbo',
    pricing: { inputPerMillion: 0.5, outputPerMillion: 1.5 },
    contextWindow: 16_385,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  // Anthropic: current
  anthropic(
    {
      id: 'claude-fable-5-1',
      name: 'Claude Fable 5.1',
      upstreamModel: 'claude-fable-5-1',
      pricing: {
        inputPerMillion: 10,
        outputPerMillion: 50,
        cachedInputPerMillion: 0.25,
        cacheWriteInputPerMillion: 12.5,
      },
      contextWindow: 1_000_000,
      defaultMaxTokens: 4096,
      capabilities: CHAT,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  anthropic(
    {
      id: 'claude-opus-5-5',
      name: 'Claude Opus 5.5',
      upstreamModel: 'claude-opus-5-5',
      pricing: {
        inputPerMillion: 4,
        outputPerMillion: 20,
        cachedInputPerMillion: 0.2,
        cacheWriteInputPerMillion: 5,
      },
      contextWindow: 1_000_000,
      defaultMaxTokens: 4096,
      capabilities: CHAT,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  anthropic(
    {
      id: 'claude-opus-5',
      name: 'Claude Opus 5',
      upstreamModel: 'claude-opus-5',
      pricing: {
        inputPerMillion: 5,
        outputPerMillion: 25,
        cachedInputPerMillion: 0.5,
        cacheWriteInputPerMillion: 6.25,
      },
      contextWindow: 1_000_000,
      defaultMaxTokens: 4096,
      capabilities: CHAT,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  anthropic(
    {
      id: 'claude-sonnet-5',
      name: 'Claude Sonnet 5',
      upstreamModel: 'claude-sonnet-5',
      pricing: {
        inputPerMillion: 2,
        outputPerMillion: 10,
        cachedInputPerMillion: 0.2,
        cacheWriteInputPerMillion: 2.5,
      },
      contextWindow: 1_000_000,
      defaultMaxTokens: 4096,
      capabilities: CHAT,
    },
    GENAI_PRICES,
    GENAI_PRICES_AS_OF,
  ),
  anthropic(
    {
      id: 'claude-opus-4-6',
      name: 'Claude Opus 4.6',
      upstreamModel: 'claude-opus-4-6',
      pricing: {
        inputPerMillion: 5,
        outputPerMillion: 25,
        cachedInputPerMillion: 0.5,
        cacheWriteInputPerMillion: 6.25,
      },
      contextWindow: 1_000_000,
      defaultMaxTokens: 4096,
      capabilities: CHAT,
    },
    ANTHROPIC_PRICES_2026,
    '2026-03-01',
  ),
  anthropic(
    {
      id: 'claude-sonnet-4-6',
      name: 'Claude Sonnet 4.6',
      upstreamModel: 'claude-sonnet-4-6',
      pricing: {
        inputPerMillion: 3,
        outputPerMillion: 15,
        cachedInputPerMillion: 0.3,
        cacheWriteInputPerMillion: 3.75,
      },
      contextWindow: 1_000_000,
      defaultMaxTokens: 4096,
      capabilities: CHAT,
    },
    ANTHROPIC_PRICES_2026,
    '2026-03-01',
  ),
  // Claude Opus 4.5 and Sonnet 4.5 left the catalogue: Sonnet 4.5 reached its end of life on
  // 2026-11-30, Opus 4.5 is deprecated (end of life 2027-01-22), and the SDK writes a console
  // warning for every request to either; Opus 4.6 and Sonnet 4.6 replace them at the same prices.
  anthropic({
    id: 'claude-haiku-4-5',
    name: 'Claude Haiku 4.5',
    upstreamModel: 'claude-haiku-4-5-20251001',
    pricing: {
      inputPerMillion: 1,
      outputPerMillion: 5,
      cachedInputPerMillion: 0.1,
      cacheWriteInputPerMillion: 1.25,
    },
    contextWindow: 200_000,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  anthropic({
    id: 'claude-3-5-haiku',
    name: 'Claude Haiku 3.5',
    upstreamModel: 'claude-3-5-haiku-20241022',
    pricing: {
      inputPerMillion: 0.8,
      outputPerMillion: 4,
      cachedInputPerMillion: 0.08,
      cacheWriteInputPerMillion: 1,
    },
    contextWindow: 200_000,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  // Anthropic: legacy ids earlier clients of this API send (Anthropic may have retired them upstream)
  anthropic({
    id: 'claude-3-sonnet-20240229',
    name: 'Claude 3 Sonnet',
    upstreamModel: 'claude-3-sonnet-20240229',
    pricing: { inputPerMillion: 3, outputPerMillion: 15 },
    contextWindow: 200_000,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  anthropic({
    id: 'claude-3-haiku-20240307',
    name: 'Claude 3 Haiku',
    upstreamModel: 'claude-3-haiku-20240307',
    pricing: {
      inputPerMillion: 0.25,
      outputPerMillion: 1.25,
      cachedInputPerMillion: 0.03,
      cacheWriteInputPerMillion: 0.3,
    },
    contextWindow: 200_000,
    defaultMaxTokens: 4096,
    capabilities: CHAT,
  }),
  // Demo: simulated locally, labelled as such wherever a name is shown
  demo({
    id: 'demo-fast',
    name: 'Demo Fast (simulated)',
    upstreamModel: 'demo-fast',
    pricing: { inputPerMillion: 0, outputPerMillion: 0 },
    contextWindow: 32_000,
    defaultMaxTokens: 1024,
    capabilities: CHAT,
  }),
  demo({
    id: 'demo-slow',
    name: 'Demo Slow (simulated)',
    upstreamModel: 'demo-slow',
    pricing: { inputPerMillion: 0, outputPerMillion: 0 },
    contextWindow: 32_000,
    defaultMaxTokens: 1024,
    capabilities: CHAT,
  }),
]);

const byId = new Map(catalog.map((m) => [m.id, m]));

/** A catalogue model by id, whether or not its provider is configured. */
export function findModel(id: string): ModelInfo | undefined {
  return byId.get(id);
}

export function modelsOf(provider: string): ModelInfo[] {
  return catalog.filter((m) => m.provider === provider);
}

/**
 * What a comparison runs when the request names no models: quick, inexpensive models, one of each
 * provider first, so the default compares providers rather than two sizes of one family (and never
 * starts with the priciest reasoning model).
 */
export const defaultModelPreference: readonly string[] = [
  'gpt-4o-mini',
  'claude-haiku-4-5',
  'gpt-4.1-mini',
  'claude-3-5-haiku',
  'demo-fast',
  'demo-slow',
];

/** The default models among the available ones: the preference list first, then catalogue order. */
export function defaultModels(available: readonly ModelInfo[], count: number): ModelInfo[] {
  const preferred = defaultModelPreference
    .map((id) => available.find((m) => m.id === id))
    .filter((m): m is ModelInfo => m !== undefined);
  const rest = available.filter((m) => !preferred.includes(m));
  return [...preferred, ...rest].slice(0, count);
}
