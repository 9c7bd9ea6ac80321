// The Anthropic adapter: the raw Messages event stream through the official SDK, normalised to StreamParts.
import Anthropic from '@anthropic-ai/sdk';
import type {
  Usage as AnthropicUsage,
  CacheCreation,
  MessageCreateParamsStreaming,
  MessageDeltaUsage,
  MessageParam,
} from '@anthropic-ai/sdk/resources/messages';
import { guardStream } from './guard-stream.js';
import { isAnthropicQuotaError, mapAnthropicError, mapAnthropicStopReason } from './map-anthropic-error.js';
import { eventLimit, noRedirectFetch, splitEventStreamFetch } from './provider-fetch.js';
import { retryVetoFetch } from './retry-veto-fetch.js';
import {
  type ApiProviderOptions,
  type ChatMessage,
  type FinishReason,
  type GenerateRequest,
  type Provider,
  ProviderError,
  type StreamPart,
  type Usage,
} from './types.js';

/**
 * The Messages API takes the system prompt apart and strictly alternating user/assistant turns that
 * start with a user turn: consecutive turns of one role are joined, so any conversation is accepted.
 */
export function anthropicMessages(messages: readonly ChatMessage[]) {
  const system = messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const turns: MessageParam[] = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    const last = turns.at(-1);
    if (last && last.role === m.role) last.content = `${last.content as string}\n\n${m.content}`;
    else turns.push({ role: m.role, content: m.content });
  }
  return { system, turns };
}

export function anthropicParams(request: GenerateRequest): MessageCreateParamsStreaming {
  const { model } = request;
  const { system, turns } = anthropicMessages(request.messages);
  return {
    model: model.upstreamModel,
    // Required by the Messages API.
    max_tokens: request.maxTokens ?? model.defaultMaxTokens,
    messages: turns,
    stream: true,
    ...(system ? { system } : {}),
    // Anthropic accepts 0..1 where OpenAI accepts 0..2: one comparison temperature must not fail Claude.
    ...(request.temperature === undefined || !model.capabilities.temperature
      ? {}
      : { temperature: Math.min(1, request.temperature) }),
  };
}

type UsageFields = Pick<
  MessageDeltaUsage,
  'input_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens' | 'output_tokens'
> & { cache_creation?: CacheCreation | null };

/**
 * Anthropic counts cache reads and cache writes apart from input_tokens; our Usage counts the whole
 * prompt in inputTokens and names the cached parts, so cost prices each part at its own rate.
 */
export function anthropicUsage(u: UsageFields): Usage {
  const read = u.cache_read_input_tokens ?? 0;
  const write = u.cache_creation_input_tokens ?? 0;
  // The split by lifetime, when given: 1-hour writes cost 2x the input price, 5-minute ones 1.25x.
  const write1h = u.cache_creation?.ephemeral_1h_input_tokens;
  return {
    inputTokens: (u.input_tokens ?? 0) + read + write,
    outputTokens: u.output_tokens,
    ...(u.cache_read_input_tokens == null ? {} : { cachedInputTokens: read }),
    ...(u.cache_creation_input_tokens == null ? {} : { cacheWriteInputTokens: write }),
    ...(write1h ? { cacheWrite1hInputTokens: Math.min(write1h, write) } : {}),
  };
}

/** message_delta usage is cumulative: a reported field replaces the earlier value, never adds to it. */
function mergeUsage(current: UsageFields, delta: MessageDeltaUsage): UsageFields {
  return {
    input_tokens: delta.input_tokens ?? current.input_tokens,
    cache_read_input_tokens: delta.cache_read_input_tokens ?? current.cache_read_input_tokens,
    cache_creation_input_tokens: delta.cache_creation_input_tokens ?? current.cache_creation_input_tokens,
    output_tokens: delta.output_tokens,
    cache_creation: current.cache_creation,
  };
}

function startUsage(u: AnthropicUsage): UsageFields {
  return {
    input_tokens: u.input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    output_tokens: u.output_tokens,
    cache_creation: u.cache_creation,
  };
}

export function createAnthropicProvider(options: ApiProviderOptions): Provider {
  const { endpoint, idleTimeoutMs } = options;
  const client = new Anthropic({
    apiKey: endpoint.apiKey ?? '',
    // Explicit, so the SDK never falls back to reading process.env itself.
    baseURL: endpoint.baseURL ?? 'https://api.anthropic.com',
    defaultHeaders: endpoint.headers,
    maxRetries: options.maxRetries ?? 2,
    fetch: retryVetoFetch({
      isQuotaBody: isAnthropicQuotaError,
      maxRetryAfterMs: idleTimeoutMs,
      // Not cut into pieces (this SDK's decoder does not re-copy per event), only bounded per event.
      inner: splitEventStreamFetch(
        noRedirectFetch(options.fetch ?? globalThis.fetch),
        Number.POSITIVE_INFINITY,
        eventLimit(endpoint),
      ),
    }),
  });

  return {
    id: endpoint.id,
    async *stream(request: GenerateRequest): AsyncGenerator<StreamPart> {
      const params = anthropicParams(request);
      // The raw events, not messages.stream(): that helper keeps the whole message in memory as well.
      const events = guardStream({
        provider: endpoint.id,
        providerName: endpoint.name,
        signal: request.signal,
        idleTimeoutMs,
        open: (signal) => client.messages.create(params, { signal }),
        mapError: (err) => mapAnthropicError(err, endpoint),
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
            // Text deltas are the answer, thinking deltas its reasoning; signatures, citations and tool input neither.
            if (event.delta.type === 'text_delta' && event.delta.text)
              yield { type: 'text', text: event.delta.text };
            else if (event.delta.type === 'thinking_delta' && event.delta.thinking)
              yield { type: 'reasoning', text: event.delta.thinking };
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
          `${endpoint.name} closed the stream before the answer was complete`,
          endpoint.id,
        );
      yield {
        type: 'finish',
        finishReason: finishReason ?? 'other',
        usage: usage ? anthropicUsage(usage) : null,
      };
    },
  };
}
