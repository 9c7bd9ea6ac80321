// The Anthropic adapter: the raw Messages event stream through the official SDK, normalised to StreamParts.
import Anthropic from '@anthropic-ai/sdk';
import type {
  Usage as AnthropicUsage,
  MessageCreateParamsStreaming,
  MessageDeltaUsage,
} from '@anthropic-ai/sdk/resources/messages';
import { guardStream } from './guard-stream.js';
import { isAnthropicQuotaError, mapAnthropicError, mapAnthropicStopReason } from './map-anthropic-error.js';
import { noRedirectFetch } from './provider-fetch.js';
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

export function anthropicParams(request: GenerateRequest): MessageCreateParamsStreaming {
  const { model } = request;
  return {
    model: model.upstreamModel,
    // Required by the Messages API.
    max_tokens: request.maxTokens ?? model.defaultMaxTokens,
    messages: [{ role: 'user', content: request.prompt }],
    stream: true,
    ...(request.system ? { system: request.system } : {}),
    // Anthropic accepts 0..1 where OpenAI accepts 0..2: one comparison temperature must not fail Claude.
    ...(request.temperature === undefined ? {} : { temperature: Math.min(1, request.temperature) }),
  };
}

type UsageFields = Pick<
  MessageDeltaUsage,
  'input_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens' | 'output_tokens'
>;

/**
 * Anthropic counts cache reads and cache writes apart from input_tokens; our Usage counts the whole
 * prompt in inputTokens and names the cached parts, so cost prices each part at its own rate.
 */
export function anthropicUsage(u: UsageFields): Usage {
  const read = u.cache_read_input_tokens ?? 0;
  const write = u.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (u.input_tokens ?? 0) + read + write,
    outputTokens: u.output_tokens,
    ...(u.cache_read_input_tokens == null ? {} : { cachedInputTokens: read }),
    ...(u.cache_creation_input_tokens == null ? {} : { cacheWriteInputTokens: write }),
  };
}

/** message_delta usage is cumulative: a reported field replaces the earlier value, never adds to it. */
function mergeUsage(current: UsageFields, delta: MessageDeltaUsage): UsageFields {
  return {
    input_tokens: delta.input_tokens ?? current.input_tokens,
    cache_read_input_tokens: delta.cache_read_input_tokens ?? current.cache_read_input_tokens,
    cache_creation_input_tokens: delta.cache_creation_input_tokens ?? current.cache_creation_input_tokens,
    output_tokens: delta.output_tokens,
  };
}

function startUsage(u: AnthropicUsage): UsageFields {
  return {
    input_tokens: u.input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    output_tokens: u.output_tokens,
  };
}

export function createAnthropicProvider(options: ApiProviderOptions): Provider {
  const { apiKey, idleTimeoutMs } = options;
  const client = new Anthropic({
    apiKey,
    // Explicit, so the SDK never falls back to reading process.env itself.
    baseURL: options.baseURL ?? 'https://api.anthropic.com',
    maxRetries: options.maxRetries ?? 2,
    fetch: retryVetoFetch({
      isQuotaBody: isAnthropicQuotaError,
      maxRetryAfterMs: idleTimeoutMs,
      inner: noRedirectFetch(options.fetch ?? globalThis.fetch),
    }),
  });

  return {
    id: 'anthropic',
    async *stream(request: GenerateRequest): AsyncGenerator<StreamPart> {
      const params = anthropicParams(request);
      // The raw events, not messages.stream(): that helper keeps the whole message in memory as well.
      const events = guardStream({
        provider: 'anthropic',
        providerName: 'Anthropic',
        signal: request.signal,
        idleTimeoutMs,
        open: (signal) => client.messages.create(params, { signal }),
        mapError: (err) => mapAnthropicError(err, apiKey),
      });
      let usage: UsageFields | undefined;
      let finishReason: FinishReason | undefined;
      let stopped = false;
      // Pings are dropped by the SDK; `error` events are thrown by it and mapped by guardStream.
      for await (const event of events) {
        switch (event.type) {
          case 'message_start':
            // Typed as always present; an Anthropic-compatible server may still leave it out.
            if (event.message.usage) usage = startUsage(event.message.usage);
            break;
          case 'content_block_delta':
            // Only text deltas are the answer: thinking, signature, citations and tool input are not.
            if (event.delta.type === 'text_delta' && event.delta.text)
              yield { type: 'text', text: event.delta.text };
            break;
          case 'message_delta':
            if (usage) usage = mergeUsage(usage, event.usage);
            finishReason = mapAnthropicStopReason(event.delta.stop_reason);
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      }
      if (!stopped)
        throw new ProviderError(
          'network',
          'Anthropic closed the stream before the answer was complete',
          'anthropic',
        );
      if (usage) yield { type: 'usage', usage: anthropicUsage(usage), finishReason: finishReason ?? 'other' };
    },
  };
}
