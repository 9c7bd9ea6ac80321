// The OpenAI adapter: chat completions streamed through the official SDK, normalised to StreamParts.
import OpenAI from 'openai';
import type {
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

/** The request body: reasoning models take max_completion_tokens and no temperature, others max_tokens. */
export function openAIParams(request: GenerateRequest): ChatCompletionCreateParamsStreaming {
  const { model } = request;
  const maxTokens = request.maxTokens ?? model.defaultMaxTokens;
  const messages: ChatCompletionMessageParam[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  messages.push({ role: 'user', content: request.prompt });
  const base = {
    model: model.upstreamModel,
    messages,
    stream: true as const,
    // Without this the stream carries no token counts; they arrive in one last chunk after the finish chunk.
    stream_options: { include_usage: true },
  };
  if (!model.acceptsTemperature) return { ...base, max_completion_tokens: maxTokens };
  return {
    ...base,
    max_tokens: maxTokens,
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
  };
}

export function openAIUsage(usage: CompletionUsage): Usage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    // Reasoning tokens are part of completion_tokens and billed as output.
    outputTokens: usage.completion_tokens,
    ...(cached === undefined ? {} : { cachedInputTokens: cached }),
  };
}

export function createOpenAIProvider(options: ApiProviderOptions): Provider {
  const { apiKey, idleTimeoutMs } = options;
  const client = new OpenAI({
    apiKey,
    // Explicit, so the SDK never falls back to reading process.env itself.
    baseURL: options.baseURL ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    maxRetries: options.maxRetries ?? 2,
    fetch: retryVetoFetch({
      isQuotaBody: isOpenAIQuotaBody,
      maxRetryAfterMs: idleTimeoutMs,
      inner: splitEventStreamFetch(noRedirectFetch(options.fetch ?? globalThis.fetch)),
    }),
  });

  return {
    id: 'openai',
    async *stream(request: GenerateRequest): AsyncGenerator<StreamPart> {
      const params = openAIParams(request);
      const chunks = guardStream({
        provider: 'openai',
        providerName: 'OpenAI',
        signal: request.signal,
        idleTimeoutMs,
        open: (signal) => client.chat.completions.create(params, { signal }),
        mapError: (err) => mapOpenAIError(err, apiKey),
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
          'OpenAI closed the stream before the answer was complete',
          'openai',
        );
      if (usage) yield { type: 'usage', usage: openAIUsage(usage), finishReason };
    },
  };
}
