// The OpenAI chat wire: chat completions streamed through the official SDK, normalised to StreamParts.
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';
import { guardStream } from './guard-stream.js';
import { isOpenAIQuotaBody, mapOpenAIError, mapOpenAIFinishReason } from './map-openai-error.js';
import { noRedirectFetch, splitEventStreamFetch } from './provider-fetch.js';
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
  const maxTokens = request.maxTokens ?? model.defaultMaxTokens;
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
  if (model.capabilities.maxTokensParam === 'max_completion_tokens') params.max_completion_tokens = maxTokens;
  else params.max_tokens = maxTokens;
  if (model.capabilities.temperature && request.temperature !== undefined)
    params.temperature = request.temperature;
  return params;
}

export function openAIUsage(usage: CompletionUsage): Usage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    // Reasoning tokens are part of completion_tokens and billed as output.
    outputTokens: usage.completion_tokens,
    ...(cached == null ? {} : { cachedInputTokens: cached }),
    ...(reasoning == null ? {} : { reasoningTokens: reasoning }),
  };
}

export function createOpenAIProvider(options: ApiProviderOptions): Provider {
  const { endpoint, idleTimeoutMs } = options;
  const client = new OpenAI({
    apiKey: endpoint.apiKey ?? '',
    // Explicit, so the SDK never falls back to reading process.env itself.
    baseURL: endpoint.baseURL ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    maxRetries: options.maxRetries ?? 2,
    defaultHeaders: endpoint.headers,
    fetch: retryVetoFetch({
      isQuotaBody: isOpenAIQuotaBody,
      maxRetryAfterMs: idleTimeoutMs,
      inner: splitEventStreamFetch(noRedirectFetch(options.fetch ?? globalThis.fetch)),
    }),
  });

  return {
    id: endpoint.id,
    async *stream(request: GenerateRequest): AsyncGenerator<StreamPart> {
      const params = openAIParams(request);
      const chunks = guardStream<ChatCompletionChunk>({
        provider: endpoint.id,
        providerName: endpoint.name,
        signal: request.signal,
        idleTimeoutMs,
        open: (signal) => client.chat.completions.create(params, { signal }),
        mapError: (err) => mapOpenAIError(err, endpoint),
      });
      let usage: CompletionUsage | undefined;
      let finishReason: FinishReason | undefined;
      for await (const chunk of chunks) {
        // The usage chunk comes after the finish chunk, with empty choices: read to the end for it.
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (!choice) continue;
        const text = choice.delta?.content || choice.delta?.refusal;
        if (text) yield { type: 'text', text };
        if (choice.finish_reason) finishReason = mapOpenAIFinishReason(choice.finish_reason);
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
