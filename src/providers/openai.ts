// The OpenAI chat wire: chat completions streamed through the official SDK, normalised to StreamParts.
import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { guardStream } from './guard-stream.js';
import { isOpenAIQuotaBody, mapOpenAIError, mapOpenAIFinishReason } from './map-openai-error.js';
import { nodeHttpFetch } from './node-fetch.js';
import {
  type CompatChunk,
  type CompatDelta,
  type CompatUsage,
  chunkUsage,
  reasoningText,
} from './openai-compat/chunk-fields.js';
import { errorBodyFetch } from './openai-compat/error-body.js';
import { sseChunks } from './openai-compat/sse-chunks.js';
import { isStreamOptionsRejection, withoutStreamOptions } from './openai-compat/stream-options.js';
import { eventLimit, noRedirectFetch } from './provider-fetch.js';
import { retryVetoFetch } from './retry-veto-fetch.js';
import {
  type ApiProviderOptions,
  type FinishReason,
  type GenerateRequest,
  type Provider,
  ProviderError,
  type StreamPart,
  type Usage,
} from './types.js';

/** The request body: only what the user set is sent, under the parameter names the model takes. */
export function openAIParams(request: GenerateRequest): ChatCompletionCreateParamsStreaming {
  const { model } = request;
  const sendsDefault = model.capabilities.sendsDefaultMaxTokens ?? true;
  const maxTokens = request.maxTokens ?? (sendsDefault ? model.defaultMaxTokens : undefined);
  const messages: ChatCompletionMessageParam[] = request.messages.map((m) => ({
    role: m.role,
    content: m.content,
  }));
  const params: ChatCompletionCreateParamsStreaming = {
    model: model.upstreamModel,
    messages,
    stream: true,
    // Without this the stream carries no token counts; they arrive in one last chunk after the finish chunk.
    stream_options: { include_usage: true },
  };
  if (maxTokens !== undefined) {
    if (model.capabilities.maxTokensParam === 'max_completion_tokens')
      params.max_completion_tokens = maxTokens;
    else params.max_tokens = maxTokens;
  }
  if (model.capabilities.temperature && request.temperature !== undefined)
    params.temperature = request.temperature;
  return params;
}

export function openAIUsage(usage: CompatUsage): Usage {
  // DeepSeek reports its cache hits under its own name.
  const cached = usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return {
    inputTokens: usage.prompt_tokens ?? 0,
    // Reasoning tokens are part of completion_tokens and billed as output.
    outputTokens: usage.completion_tokens ?? 0,
    ...(cached == null ? {} : { cachedInputTokens: cached }),
    ...(reasoning == null ? {} : { reasoningTokens: reasoning }),
    ...(typeof usage.cost === 'number' ? { providerCost: usage.cost } : {}),
  };
}

export function createOpenAIProvider(options: ApiProviderOptions): Provider {
  const { endpoint, idleTimeoutMs } = options;
  const client = new OpenAI({
    // A keyless local server (Ollama, llama.cpp) gets a placeholder the SDK insists on, and no header (below).
    apiKey: endpoint.apiKey || 'no-key',
    // Explicit, so the SDK never falls back to reading process.env itself (an admin key would go to every endpoint).
    baseURL: endpoint.baseURL ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: options.maxRetries ?? 2,
    defaultHeaders: endpoint.apiKey ? endpoint.headers : { ...endpoint.headers, Authorization: null },
    fetch: retryVetoFetch({
      isQuotaBody: isOpenAIQuotaBody,
      maxRetryAfterMs: idleTimeoutMs,
      // node:http under the SDK unless a fetch is given: half the CPU per read of undici's fetch.
      inner: errorBodyFetch(noRedirectFetch(options.fetch ?? nodeHttpFetch())),
    }),
  });
  // Learned once per endpoint (per app): a server that refused stream_options is not asked again.
  let sendStreamOptions = true;

  // The SDK builds the request, retries and maps HTTP errors; the event stream's bytes are decoded
  // by sseChunks (the same events, at a fraction of the SDK's cost per chunk), under the event cap.
  const limit = eventLimit(endpoint);
  const request = (params: ChatCompletionCreateParamsStreaming, signal: AbortSignal) =>
    client.chat.completions
      .create(params, { signal })
      .asResponse()
      .then((response) => sseChunks<CompatChunk>(response, limit));
  const open = async (params: ChatCompletionCreateParamsStreaming, signal: AbortSignal) => {
    if (!sendStreamOptions) return request(withoutStreamOptions(params), signal);
    try {
      return await request(params, signal);
    } catch (err) {
      if (!isStreamOptionsRejection(err)) throw err;
      sendStreamOptions = false;
      options.logger?.warn(
        { provider: endpoint.id },
        `${endpoint.name} refused stream_options; retrying without it (token counts may be missing)`,
      );
      return request(withoutStreamOptions(params), signal);
    }
  };

  return {
    id: endpoint.id,
    async *stream(request: GenerateRequest): AsyncGenerator<StreamPart> {
      const params = openAIParams(request);
      const chunks = guardStream<CompatChunk>({
        provider: endpoint.id,
        providerName: endpoint.name,
        signal: request.signal,
        idleTimeoutMs,
        open: (signal) => open(params, signal),
        mapError: (err) => mapOpenAIError(err, endpoint),
        // sseChunks reads the body of a request this signal closes: a read ends when it aborts.
        readsSettleOnAbort: true,
      });
      let usage: CompatUsage | undefined;
      let finishReason: FinishReason | undefined;
      for await (const chunk of chunks) {
        // Usage may come after the finish chunk (OpenAI), on it (Mistral, Gemini), under x_groq, or on
        // every chunk as running totals (vLLM): keep the last, read to the end.
        const chunkUsed = chunkUsage(chunk);
        if (chunkUsed) usage = chunkUsed;
        // Azure's content-filter chunk and usage-only chunks have no choices; some servers omit the key.
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const delta: CompatDelta | undefined = choice.delta;
        if (delta) {
          const reasoning = reasoningText(delta);
          if (reasoning) yield { type: 'reasoning', text: reasoning };
          const text = delta.content || delta.refusal;
          if (text) yield { type: 'text', text };
        }
        if (choice.finish_reason) {
          // OpenRouter ends a failed generation so, in a 200 stream (with an `error` the SDK throws first).
          if ((choice.finish_reason as string) === 'error')
            throw new ProviderError(
              'upstream',
              `${endpoint.name} ended the answer with an error`,
              endpoint.id,
            );
          finishReason = mapOpenAIFinishReason(choice.finish_reason);
        }
      }
      if (!finishReason)
        throw new ProviderError(
          'network',
          `${endpoint.name} closed the stream before the answer was complete`,
          endpoint.id,
        );
      yield { type: 'finish', finishReason, usage: usage ? openAIUsage(usage) : null };
    },
  };
}
