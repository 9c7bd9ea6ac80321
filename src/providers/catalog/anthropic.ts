// The Anthropic models of the catalogue, newest first, each with where its price was read.
import type { ModelInfo } from '../types.js';
import { ANTHROPIC_PRICES_2026, anthropic, CHAT, GENAI_PRICES, GENAI_PRICES_AS_OF } from './rows.js';

export const anthropicModels: readonly ModelInfo[] = [
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
];
