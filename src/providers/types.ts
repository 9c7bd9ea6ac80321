// The one streaming interface every provider adapter implements, and the parts it yields.

export type ProviderId = 'openai' | 'anthropic' | 'demo';

/** A model of the catalogue: data, not code paths. Prices in US dollars per million tokens. */
export interface ModelInfo {
  /** Our id, as clients send it in `modelIds`. */
  id: string;
  provider: ProviderId;
  /** Display name. */
  name: string;
  /** The model name sent upstream. */
  upstreamModel: string;
  pricing: {
    inputPerMillion: number;
    outputPerMillion: number;
    cachedInputPerMillion?: number;
  };
  contextWindow: number;
  defaultMaxTokens: number;
  /** Reasoning models take `max_completion_tokens` and no temperature. */
  acceptsTemperature: boolean;
  /** Where and when the price was taken. */
  priceSource: string;
}

export interface GenerateRequest {
  model: ModelInfo;
  prompt: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  signal: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache, when it reports them (part of inputTokens). */
  cachedInputTokens?: number;
}

/** The parts a provider stream yields: text deltas, then at most one usage part. */
export type StreamPart = { type: 'text'; text: string } | { type: 'usage'; usage: Usage };

export interface Provider {
  readonly id: ProviderId;
  /** Streams the answer; throws a `ProviderError` on any failure (including cancellation). */
  stream(request: GenerateRequest): AsyncIterable<StreamPart>;
}

export type ProviderErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'authentication'
  | 'bad_request'
  | 'timeout'
  | 'network'
  | 'cancelled'
  | 'upstream';

/** A provider failure with a message that is safe to show a user (never a key). */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly provider: ProviderId,
    readonly status?: number,
  ) {
    super(message);
  }
}
