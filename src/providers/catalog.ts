// The model catalogue as data: ids, upstream names, prices per million tokens, limits and price sources.
import { anthropicModels } from './catalog/anthropic.js';
import { openaiModels } from './catalog/openai.js';
import { CHAT, demo } from './catalog/rows.js';
import type { ModelInfo } from './types.js';

// Rows are grouped by provider in ./catalog/; each row says where its price was read.
export const catalog: readonly ModelInfo[] = Object.freeze([
  ...openaiModels,
  ...anthropicModels,
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
