// Providers as data: endpoints, models and the one streaming interface every wire format implements.

/** The wire formats we speak. A wire format is code; an endpoint is data (settings of one server). */
export type WireFormat = 'openai-chat' | 'anthropic-messages' | 'demo';

/**
 * One configured server that runs models: the built-in `openai`, `anthropic` and `demo`, or one of
 * the operator's OpenAI-compatible endpoints from MODELS_FILE. `id` is what responses call `provider`.
 */
export interface Endpoint {
  id: string;
  /** Shown to users and used in failure messages ("Ollama on this machine rejected the request"). */
  name: string;
  wire: WireFormat;
  /** The SDK default when absent. */
  baseURL?: string;
  apiKey?: string;
  /** Extra request headers the server wants (OpenRouter's HTTP-Referer, ...). */
  headers?: Record<string, string>;
}

/** Prices in US dollars per million tokens, with where and when they were read. */
export interface Pricing {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Input tokens read from the provider's prompt cache, where the provider discounts them. */
  cachedInputPerMillion?: number;
  /** Input tokens written to the prompt cache (Anthropic's 5-minute writes: 1.25x input). */
  cacheWriteInputPerMillion?: number;
  /** Anthropic's 1-hour cache writes: 2x input. */
  cacheWrite1hInputPerMillion?: number;
}

/** Named capability flags of one model: never inferred from one another. */
export interface ModelCapabilities {
  /** False: a temperature is never sent (reasoning models reject it). */
  temperature: boolean;
  /** Which request parameter carries the output limit (OpenAI-chat wire only). */
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  /**
   * False: when the user sets no limit, none is sent and the server's own default applies (file models
   * without a declared maxTokens: a guessed limit can exceed a small local context and be refused).
   * Absent means true: defaultMaxTokens is sent.
   */
  sendsDefaultMaxTokens?: boolean;
}

/** A model a comparison can run: data, not code paths. */
export interface ModelInfo {
  /** Our id, as clients send it in `modelIds`: `gpt-4o`, or `<endpoint id>/<upstream name>`. */
  id: string;
  /** The endpoint's id (`openai`, `anthropic`, `demo`, `ollama`, ...). */
  provider: string;
  /** Display name. */
  name: string;
  /** The model name sent upstream. */
  upstreamModel: string;
  /** Null when the price is unknown: the cost is then unknown too, never 0. */
  pricing: Pricing | null;
  /** Where the price was read (a page, a package version, the models file). */
  priceSource: string;
  /** The date of the price (YYYY-MM-DD), or null when unknown. */
  priceAsOf: string | null;
  contextWindow: number;
  defaultMaxTokens: number;
  capabilities: ModelCapabilities;
}

/** One turn of a conversation, in order: the system prompt first (if any), then user and assistant turns. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  model: ModelInfo;
  /** System first (optional), then alternating user/assistant turns ending with a user turn. */
  messages: ChatMessage[];
  /** Only what the user set is sent. */
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
  /** Input tokens written to the prompt cache (part of inputTokens). */
  cacheWriteInputTokens?: number;
  /** Of cacheWriteInputTokens, those written with the 1-hour lifetime (Anthropic bills them at 2x). */
  cacheWrite1hInputTokens?: number;
  /** Reasoning tokens, when reported: already part of outputTokens. */
  reasoningTokens?: number;
  /** The charge the provider reported itself, in US dollars (OpenRouter's usage.cost). */
  providerCost?: number;
}

/** Why the model stopped, normalised across providers. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'other';
export const finishReasons = ['stop', 'length', 'content_filter', 'other'] as const;

/**
 * The parts a provider stream yields: answer and reasoning deltas, then exactly one `finish`
 * (why it stopped, and the usage the provider reported, or null when it reported none). A stream
 * that fails throws a ProviderError instead of finishing.
 */
export type StreamPart =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'finish'; finishReason: FinishReason; usage: Usage | null };

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What an adapter of a remote API needs: its endpoint, and how long it may stay silent. */
export interface ApiProviderOptions {
  endpoint: Endpoint;
  idleTimeoutMs: number;
  /** Retries of 408/409/429/5xx/529 before the first byte, by the SDK (honouring retry-after); 2 by default. */
  maxRetries?: number;
  fetch?: Fetch;
  /** Where SDK warnings go (pino); the SDKs write to console otherwise. */
  logger?: ProviderLogger;
}

export interface ProviderLogger {
  warn(obj: object, msg?: string): void;
}

export interface Provider {
  /** The endpoint's id. */
  readonly id: string;
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
  | 'too_large'
  | 'upstream';

/** A provider failure with a message that is safe to show a user (never a key). */
export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    /** The endpoint's id. */
    readonly provider: string,
    readonly status?: number,
    /** From the upstream `retry-after` header, when a rate limit said how long to wait. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
