// The openai-chat adapter against OpenAI-compatible servers as they really answer, replayed byte for byte.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { endpointModel, type ModelSpec } from '../../src/providers/models-file.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import type { GenerateRequest } from '../../src/providers/types.js';
import { collect, failureOf } from '../support/collect.js';
import * as fx from '../support/compat-fixtures.js';
import { type CompatServer, startCompatServer } from '../support/compat-server.js';

const KEY = 'sk-or-v1-0123456789abcdef0123456789abcdef';
let server: CompatServer;
beforeAll(async () => {
  server = await startCompatServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const provider = (apiKey?: string) =>
  createOpenAIProvider({
    endpoint: { id: 'local', name: 'Local box', wire: 'openai-chat', baseURL: server.baseURL, apiKey },
    idleTimeoutMs: 3000,
    maxRetries: 0,
  });
const request = (spec: Partial<ModelSpec> = {}, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  model: endpointModel('local', { upstream: 'qwen3:4b', ...spec }),
  messages: [{ role: 'user', content: 'Hi' }],
  signal: new AbortController().signal,
  ...extra,
});
const reasoningOf = (parts: { type: string; text?: string }[]) =>
  parts
    .filter((p) => p.type === 'reasoning')
    .map((p) => p.text)
    .join('');

describe('OpenAI-compatible endpoints: what real servers stream', () => {
  it('Ollama: reasoning deltas become reasoning parts, the answer text parts, usage null when none is sent', async () => {
    server.script({ frames: fx.ollamaReasoningNoUsage });
    const result = await collect(provider().stream(request()));
    expect(result.error).toBeUndefined();
    expect(reasoningOf(result.parts)).toBe('The user greets. Answer briefly.');
    expect(result.text).toBe('Hello there!');
    // Nothing empty is ever yielded, and the finish comes once, last.
    expect(result.parts.every((p) => p.type === 'finish' || p.text !== '')).toBe(true);
    expect(result.parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: null });
  });

  it('vLLM continuous usage: the last running total, never a sum', async () => {
    server.script({ frames: fx.vllmContinuousUsage });
    const result = await collect(provider().stream(request()));
    expect(result.text).toBe('One two');
    expect(reasoningOf(result.parts)).toBe('Think.');
    expect(result.usage).toEqual({ inputTokens: 17, outputTokens: 4 });
  });

  it('Groq: the usage under x_groq', async () => {
    server.script({ frames: fx.groqXGroqUsage });
    const result = await collect(provider().stream(request()));
    expect(result.text).toBe('Hi!');
    expect(result.usage).toEqual({ inputTokens: 38, outputTokens: 2 });
  });

  it('Mistral: text and usage on the same finish chunk', async () => {
    server.script({ frames: fx.mistralUsageOnLastChunk });
    const result = await collect(provider().stream(request()));
    expect(result.text).toBe('Bonjour!');
    expect(result.usage).toEqual({ inputTokens: 9, outputTokens: 3 });
  });

  it('OpenRouter: keep-alive comments are skipped, reasoning kept, usage.cost becomes providerCost', async () => {
    server.script({ frames: fx.openrouterReasoningCost });
    const result = await collect(provider(KEY).stream(request()));
    expect(result.error).toBeUndefined();
    expect(result.parts.map((p) => p.type)).toEqual(['reasoning', 'text', 'finish']);
    expect(result.usage).toEqual({
      inputTokens: 14,
      outputTokens: 25,
      cachedInputTokens: 0,
      reasoningTokens: 22,
      providerCost: 0.0000667,
    });
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('DeepSeek: reasoning_content, null content, and its cache counts', async () => {
    server.script({ frames: fx.deepseekReasoningContent });
    const result = await collect(provider().stream(request()));
    expect(result.parts.map((p) => p.type)).toEqual(['reasoning', 'text', 'finish']);
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 9, reasoningTokens: 7 });
  });

  it('Azure: the empty-choices filter chunk and the role-only chunk yield nothing', async () => {
    server.script({ frames: fx.azureFilterChunk });
    const result = await collect(provider().stream(request()));
    expect(result.parts).toEqual([
      { type: 'text', text: 'Ok' },
      { type: 'finish', finishReason: 'stop', usage: null },
    ]);
  });
});

describe('OpenAI-compatible endpoints: stream_options refused', () => {
  it.each([
    ['Mistral 422', 422, fx.mistralStreamOptions422],
    ['Groq 400', 400, fx.groqStreamOptions400],
  ])('%s: retried once without it, remembered for the next request', async (_name, status, body) => {
    server.respond((r) =>
      'stream_options' in r.body
        ? { status, type: 'application/json', body }
        : { frames: fx.mistralUsageOnLastChunk },
    );
    const p = provider();
    const first = await collect(p.stream(request()));
    expect(first.error).toBeUndefined();
    expect(first.text).toBe('Bonjour!');
    const second = await collect(p.stream(request()));
    expect(second.text).toBe('Bonjour!');
    const sent = server.chatRequests().map((r) => 'stream_options' in r.body);
    expect(sent).toEqual([true, false, false]);
  });

  it('a 400 for another reason is not retried', async () => {
    server.script({
      status: 400,
      type: 'application/json',
      body: fx.groqStreamOptions400.replace(/stream_options/g, 'top_k'),
    });
    const error = await failureOf(provider().stream(request()));
    expect(error.message).toBe(
      "Local box rejected the request (400): property 'top_k' is unsupported, did you mean 'stream'?",
    );
    expect(server.chatRequests()).toHaveLength(1);
  });
});

describe('OpenAI-compatible endpoints: failures inside a 200 stream', () => {
  it('an error chunk after some text (OpenRouter) fails with the upstream words', async () => {
    server.script({ frames: fx.openrouterMidStreamError });
    const result = await collect(provider().stream(request()));
    expect(result.text).toBe('Once upon');
    expect(result.error).toMatchObject({ kind: 'upstream', provider: 'local' });
    expect(result.error?.message).toBe(
      'Local box reported an error mid-stream: Provider disconnected unexpectedly',
    );
  });

  it('an error chunk shaped as vLLM sends it', async () => {
    server.script({ frames: fx.vllmErrorChunk });
    const result = await collect(provider().stream(request()));
    expect(result.error?.message).toBe('Local box reported an error mid-stream: CUDA out of memory');
  });

  it('finish_reason "error" without an error object', async () => {
    server.script({ frames: fx.finishReasonErrorOnly });
    const result = await collect(provider().stream(request()));
    expect(result.text).toBe('Half');
    expect(result.error?.message).toBe('Local box ended the answer with an error');
  });

  it('a stream that ends without a finish', async () => {
    server.script({ frames: fx.noFinish });
    const result = await collect(provider().stream(request()));
    expect(result.text).toBe('Cut off');
    expect(result.error?.message).toBe('Local box closed the stream before the answer was complete');
  });
});

describe('OpenAI-compatible endpoints: error bodies that are not OpenAI-shaped', () => {
  it.each([
    [
      'Ollama plain string',
      fx.errorBodies.ollamaPlain,
      'Local box does not know this model (404): model "llama9" not found, try pulling it first',
    ],
    [
      'Gemini array',
      fx.errorBodies.geminiArray,
      'Local box rejected the request (400): API key not valid. Please pass a valid API key.',
    ],
    [
      'vLLM object',
      fx.errorBodies.vllmObject,
      'Local box does not know this model (404): The model `llama9` does not exist.',
    ],
    [
      'an HTML page from a proxy',
      fx.errorBodies.nginxHtml,
      'Local box had an internal error (502): 502 Bad Gateway',
    ],
  ])('%s: the status and the upstream words', async (_name, reply, message) => {
    server.script(reply);
    const error = await failureOf(provider().stream(request()));
    expect(error.message).toBe(message);
    expect(error.status).toBe(reply.status);
  });

  it('never echoes the key', async () => {
    server.script({
      status: 400,
      type: 'text/plain',
      body: `bad request from key ${KEY} (${KEY.slice(0, 20)})`,
    });
    const error = await failureOf(provider(KEY).stream(request()));
    expect(error.message).toMatch(/^Local box rejected the request \(400\): bad request from key/);
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toMatch(/at .*\.js/);
  });
});

describe('OpenAI-compatible endpoints: only what the user set is sent', () => {
  it('no max tokens and no temperature unless the user set them; no Authorization without a key', async () => {
    server.script({ frames: fx.mistralUsageOnLastChunk });
    await collect(provider().stream(request()));
    const body = server.chatRequests()[0]?.body;
    expect(Object.keys(body ?? {}).sort()).toEqual(['messages', 'model', 'stream', 'stream_options']);
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('maxTokensParam picks the parameter; temperature: false never sends one; a declared maxTokens is the default', async () => {
    server.script({ frames: fx.mistralUsageOnLastChunk }, { frames: fx.mistralUsageOnLastChunk });
    await collect(
      provider().stream(
        request(
          { maxTokensParam: 'max_completion_tokens', temperature: false },
          { temperature: 0.5, maxTokens: 64 },
        ),
      ),
    );
    await collect(provider().stream(request({ maxTokens: 256 }, { temperature: 0.2 })));
    const [first, second] = server.chatRequests().map((r) => r.body);
    expect(first).toMatchObject({ max_completion_tokens: 64 });
    expect(first).not.toHaveProperty('temperature');
    expect(first).not.toHaveProperty('max_tokens');
    expect(second).toMatchObject({ max_tokens: 256, temperature: 0.2 });
  });
});
