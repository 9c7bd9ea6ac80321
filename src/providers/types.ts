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
    /** Price of input tokens read from the provider's prompt cache, where the provider discounts them. */
    cachedInputPerMillion?: number;
    /** Price of input tokens written to the prompt cache (Anthropic charges a premium for them). */
    cacheWriteInputPerMillion?: number;
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

/**
 * Token counts as the provider reported them. `inputTokens` is the whole prompt, cached parts included,
 * for every provider (for Anthropic it is input_tokens + cache_read + cache_creation), so
 * `inputTokens - cachedInputTokens - cacheWriteInputTokens` is the part billed at the normal input price.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache, when it reports them (part of inputTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to the prompt cache (Anthropic's cache_creation_input_tokens; part of inputTokens). */
  cacheWriteInputTokens?: number;
}

/** Why the model stopped, normalised across providers. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

/**
 * The parts a provider stream yields: text deltas, then at most one usage part.
 * A stream whose provider reported no usage (some OpenAI-compatible servers ignore `include_usage`)
 * ends with no usage part: we never guess the numbers a cost is computed from.
 */
export type StreamPart =
  | { type: 'text'; text: string }
  | { type: 'usage'; usage: Usage; finishReason?: FinishReason };

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What an adapter of a remote API needs: its key, where it lives, and how long it may stay silent. */
export interface ApiProviderOptions {
  apiKey: string;
  /** The SDK default when absent (OpenAI's includes `/v1`, Anthropic's does not). */
  baseURL?: string;
  idleTimeoutMs: number;
  /** Retries of 408/409/429/5xx/529 before the first byte, by the SDK (honouring retry-after); 2 by default. */
  maxRetries?: number;
  fetch?: Fetch;
}

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
    /** From the upstream `retry-after` header, when a rate limit said how long to wait. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
