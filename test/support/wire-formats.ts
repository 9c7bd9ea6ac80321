// The OpenAI and Anthropic streaming wire formats, event for event, for the loopback provider server.
import type { ServerResponse } from 'node:http';

export interface ScriptUsage {
  inputTokens: number;
  outputTokens: number;
  /** OpenAI: prompt_tokens_details.cached_tokens (part of prompt_tokens); Anthropic: cache_read_input_tokens. */
  cachedInputTokens?: number;
  /** Anthropic only: cache_creation_input_tokens. */
  cacheWriteInputTokens?: number;
}

/** Writes one stream's events; `pause` resolves false once the client has gone (stop writing then). */
export interface StreamWriter {
  start(): void;
  delta(text: string): void;
  /** A provider error inside the stream (OpenAI: a data line with `error`; Anthropic: `event: error`). */
  error(type: string, message: string): void;
  finish(finishReason: string | undefined, usage: ScriptUsage | null, outputTokenSteps?: number[]): void;
}

const sse = (res: ServerResponse, data: unknown, event?: string) =>
  res.write(
    `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
  );

export function openaiWriter(
  res: ServerResponse,
  model: string,
  body: Record<string, unknown>,
): StreamWriter {
  const includeUsage =
    typeof body.stream_options === 'object' &&
    body.stream_options !== null &&
    (body.stream_options as Record<string, unknown>).include_usage === true;
  const id = `chatcmpl-test${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  // With include_usage, every chunk but the last carries "usage": null, as the real API sends.
  const chunk = (choices: unknown[], usage: unknown = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_test',
    choices,
    ...(includeUsage ? { usage } : {}),
  });
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  return {
    start: () => sse(res, chunk([choice({ role: 'assistant', content: '', refusal: null })])),
    delta: (text) => sse(res, chunk([choice({ content: text })])),
    error: (type, message) => sse(res, { error: { message, type, param: null, code: null } }),
    finish(finishReason, usage) {
      sse(res, chunk([choice({}, finishReason ?? 'stop')]));
      if (includeUsage && usage) {
        sse(
          res,
          chunk([], {
            prompt_tokens: usage.inputTokens,
            completion_tokens: usage.outputTokens,
            total_tokens: usage.inputTokens + usage.outputTokens,
            prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: 0,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          }),
        );
      }
      sse(res, '[DONE]');
    },
  };
}

export function anthropicWriter(
  res: ServerResponse,
  model: string,
  options: { thinking?: string; usage: ScriptUsage | null },
): StreamWriter {
  const usage = options.usage;
  const textIndex = options.thinking ? 1 : 0;
  return {
    start() {
      sse(
        res,
        {
          type: 'message_start',
          message: {
            id: `msg_test${Date.now()}`,
            type: 'message',
            role: 'assistant',
            model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: usage && {
              input_tokens: usage.inputTokens,
              cache_creation_input_tokens: usage.cacheWriteInputTokens ?? 0,
              cache_read_input_tokens: usage.cachedInputTokens ?? 0,
              output_tokens: 1,
              service_tier: 'standard',
            },
          },
        },
        'message_start',
      );
      if (options.thinking) {
        sse(
          res,
          {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'thinking', thinking: '', signature: '' },
          },
          'content_block_start',
        );
        sse(res, { type: 'ping' }, 'ping');
        for (const piece of options.thinking.match(/\S+\s*/g) ?? []) {
          sse(
            res,
            { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: piece } },
            'content_block_delta',
          );
        }
        sse(
          res,
          {
            type: 'content_block_delta',
            index: 0,
            delta: {
              type: 'signature_delta',
              signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
            },
          },
          'content_block_delta',
        );
        sse(res, { type: 'content_block_stop', index: 0 }, 'content_block_stop');
      }
      sse(
        res,
        { type: 'content_block_start', index: textIndex, content_block: { type: 'text', text: '' } },
        'content_block_start',
      );
      sse(res, { type: 'ping' }, 'ping');
    },
    delta: (text) =>
      sse(
        res,
        { type: 'content_block_delta', index: textIndex, delta: { type: 'text_delta', text } },
        'content_block_delta',
      ),
    error: (type, message) => sse(res, { type: 'error', error: { type, message } }, 'error'),
    finish(finishReason, finalUsage, outputTokenSteps = []) {
      sse(res, { type: 'content_block_stop', index: textIndex }, 'content_block_stop');
      // Usage in message_delta is cumulative: each step repeats the running total, the last is final.
      const totals = finalUsage ? [...outputTokenSteps, finalUsage.outputTokens] : [undefined];
      for (const [i, output] of totals.entries()) {
        const last = i === totals.length - 1;
        sse(
          res,
          {
            type: 'message_delta',
            delta: { stop_reason: last ? (finishReason ?? 'end_turn') : null, stop_sequence: null },
            usage: { output_tokens: output ?? 0 },
          },
          'message_delta',
        );
      }
      sse(res, { type: 'message_stop' }, 'message_stop');
    },
  };
}

/** An error body as each API sends it. */
export function errorBody(wire: 'openai' | 'anthropic', status: number, type?: string, message?: string) {
  const text = message ?? `test error ${status}`;
  if (wire === 'openai')
    return { error: { message: text, type: type ?? 'invalid_request_error', param: null, code: null } };
  return { type: 'error', error: { type: type ?? 'api_error', message: text }, request_id: 'req_test' };
}
