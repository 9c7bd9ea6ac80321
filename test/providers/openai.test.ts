// The OpenAI adapter through the real SDK against the loopback server speaking OpenAI's wire format.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { collect, failureOf, generateRequest } from '../support/collect.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';

const KEY = 'sk-test-OPENAI-0123456789-secret';
let server: ProviderServer;

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const provider = (idleTimeoutMs = 5000) =>
  createOpenAIProvider({
    endpoint: {
      id: 'openai',
      name: 'OpenAI',
      wire: 'openai-chat',
      apiKey: KEY,
      baseURL: server.openaiBaseURL,
    },
    idleTimeoutMs,
  });

describe('OpenAI adapter: streams', () => {
  it('yields the text deltas, then one finish with the usage read from the chunk after the finish chunk', async () => {
    server.script({
      deltas: ['Hel', 'lo', ', world'],
      usage: { inputTokens: 20, outputTokens: 3, cachedInputTokens: 8 },
    });
    const result = await collect(provider().stream(generateRequest('gpt-4o-mini')));
    expect(result.error).toBeUndefined();
    expect(result.parts.map((p) => p.type)).toEqual(['text', 'text', 'text', 'finish']);
    expect(result.text).toBe('Hello, world');
    expect(result.usage).toEqual({
      inputTokens: 20,
      outputTokens: 3,
      cachedInputTokens: 8,
      reasoningTokens: 0,
    });
    expect(result.finishReason).toBe('stop');

    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('reports a length finish when the model hit max tokens', async () => {
    server.script({ text: 'cut short', finishReason: 'length' });
    const result = await collect(provider().stream(generateRequest('gpt-4o')));
    expect(result.finishReason).toBe('length');
  });

  it('finishes with usage null when the server sends no usage (we never guess the numbers)', async () => {
    server.script({ text: 'no usage here', usage: null });
    const result = await collect(provider().stream(generateRequest('gpt-4o')));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('no usage here');
    expect(result.parts.filter((p) => p.type !== 'text').map((p) => p.type)).toEqual(['finish']);
    expect(result.parts.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: null });
  });

  it('sends max_completion_tokens and no temperature to reasoning models', async () => {
    server.script({}, {});
    await collect(provider().stream(generateRequest('gpt-5-mini', { temperature: 0.7, maxTokens: 500 })));
    await collect(provider().stream(generateRequest('o4-mini', { temperature: 0.2 })));
    const [gpt5, o4] = server.requests;
    expect(gpt5?.body.max_completion_tokens).toBe(500);
    expect(gpt5?.body).not.toHaveProperty('temperature');
    expect(gpt5?.body).not.toHaveProperty('max_tokens');
    expect(o4?.body.max_completion_tokens).toBe(16_384);
    expect(o4?.body).not.toHaveProperty('temperature');
  });

  it('sends max_tokens, temperature and the system prompt to other models', async () => {
    server.script({});
    await collect(
      provider().stream(generateRequest('gpt-4o-mini', { temperature: 0.3, system: 'Be brief.' })),
    );
    const body = server.requests[0]?.body;
    expect(body).toMatchObject({ max_tokens: 4096, temperature: 0.3 });
    expect(body).not.toHaveProperty('max_completion_tokens');
    expect(body?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
  });
});

describe('OpenAI adapter: failures', () => {
  it('maps 401 to authentication without retrying and without echoing the key', async () => {
    server.script({
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${KEY}.`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    });
    const error = await failureOf(provider().stream(generateRequest('gpt-4o')));
    expect(error).toMatchObject({ kind: 'authentication', status: 401, provider: 'openai' });
    expect(error.message).toBe('OpenAI rejected the API key (401)');
    expect(server.requests).toHaveLength(1);
  });

  it('maps 400 to bad_request with the upstream explanation, keys redacted', async () => {
    server.script({
      status: 400,
      body: {
        error: {
          message: `Unsupported parameter: 'max_tokens' is not supported with this model (key ${KEY}).`,
          type: 'invalid_request_error',
          param: 'max_tokens',
          code: 'unsupported_parameter',
        },
      },
    });
    const error = await failureOf(provider().stream(generateRequest('gpt-4o')));
    expect(error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(error.message).toContain("Unsupported parameter: 'max_tokens'");
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain('sk-test');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 429 after its retry-after, before the first byte, then streams', async () => {
    server.script(
      { status: 429, headers: { 'retry-after': '0.2' } },
      { status: 429, headers: { 'retry-after': '0' } },
      {
        text: 'third time lucky',
      },
    );
    const started = Date.now();
    const result = await collect(provider().stream(generateRequest('gpt-4o')));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('third time lucky');
    expect(server.requests).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('gives up after two retries and reports the rate limit with its retry-after', async () => {
    const limited = { status: 429, headers: { 'retry-after': '0' } };
    server.script(limited, limited, limited);
    const error = await failureOf(provider().stream(generateRequest('gpt-4o')));
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterSeconds: 0 });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 429 insufficient_quota', async () => {
    server.script({
      status: 429,
      headers: { 'retry-after': '0' },
      body: {
        error: {
          message: 'You exceeded your current quota, please check your plan and billing details.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      },
    });
    const error = await failureOf(provider().stream(generateRequest('gpt-4o')));
    expect(error.kind).toBe('rate_limited');
    expect(error.message).toMatch(/quota/);
    expect(server.requests).toHaveLength(1);
  });

  it('does not wait for a retry-after longer than the idle timeout', async () => {
    server.script({ status: 429, headers: { 'retry-after': '30' } });
    const started = Date.now();
    const error = await failureOf(provider(1000).stream(generateRequest('gpt-4o')));
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 30 });
    expect(server.requests).toHaveLength(1);
    // Far below the 30 s it was told to wait: it did not wait.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('maps a 503 that persists through the retries to overloaded', async () => {
    const busy = { status: 503, headers: { 'retry-after': '0' } };
    server.script(busy, busy, busy);
    const error = await failureOf(provider().stream(generateRequest('gpt-4o')));
    expect(error).toMatchObject({ kind: 'overloaded', status: 503 });
    expect(server.requests).toHaveLength(3);
  });

  it('turns an error object inside the stream into an upstream error after the text so far', async () => {
    server.script({
      deltas: ['one ', 'two ', 'three'],
      errorAfter: 2,
      error: { type: 'server_error', message: 'boom' },
    });
    const result = await collect(provider().stream(generateRequest('gpt-4o')));
    expect(result.text).toBe('one two ');
    expect(result.error).toMatchObject({ kind: 'upstream', provider: 'openai' });
    expect(result.error?.message).toContain('boom');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a connection dropped mid-answer as a network error, never as a finish', async () => {
    server.script({ deltas: ['one ', 'two ', 'three'], destroyAfter: 2 });
    const result = await collect(provider().stream(generateRequest('gpt-4o')));
    expect(result.text).toBe('one two ');
    expect(result.error?.kind).toBe('network');
    expect(server.requests).toHaveLength(1);
  });

  it('fails a silent stream with timeout and closes the upstream connection', async () => {
    server.script({ deltas: ['one ', 'two ', 'three'], hangAfter: 2 });
    const result = await collect(provider(1000).stream(generateRequest('gpt-4o')));
    expect(result.text).toBe('one two ');
    expect(result.error?.kind).toBe('timeout');
    await server.waitForClose(0);
  });

  it('times out a server that never sends the response headers', async () => {
    server.script({ headersDelayMs: 8000 });
    const error = await failureOf(provider(1000).stream(generateRequest('gpt-4o')));
    expect(error.kind).toBe('timeout');
    await server.waitForClose(0);
  });
});

describe('OpenAI adapter: cancellation', () => {
  it('aborting mid-stream throws cancelled and closes the upstream socket', async () => {
    server.script({ deltas: 50, intervalMs: 20 });
    const controller = new AbortController();
    const result = await collect(
      provider().stream(generateRequest('gpt-4o', { signal: controller.signal })),
      () => controller.abort(),
    );
    expect(result.error).toMatchObject({ kind: 'cancelled', provider: 'openai' });
    expect(result.parts.filter((p) => p.type === 'text').length).toBeLessThan(5);
    await server.waitForClose(0);
  });

  it('aborting while waiting for the response throws cancelled at once', async () => {
    server.script({ headersDelayMs: 8000 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = failureOf(provider().stream(generateRequest('gpt-4o', { signal: controller.signal })));
    await server.waitForRequests(1);
    controller.abort();
    expect((await pending).kind).toBe('cancelled');
    // Well before the 8 s the headers would have taken.
    expect(Date.now() - started).toBeLessThan(4000);
    await server.waitForClose(0);
  });

  it('a consumer that stops reading early closes the upstream socket', async () => {
    server.script({ deltas: 50, intervalMs: 20 });
    for await (const part of provider().stream(generateRequest('gpt-4o'))) {
      expect(part.type).toBe('text');
      break;
    }
    await server.waitForClose(0);
  });

  it('an already aborted signal sends nothing upstream', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failureOf(
      provider().stream(generateRequest('gpt-4o', { signal: controller.signal })),
    );
    expect(error.kind).toBe('cancelled');
    expect(server.requests).toHaveLength(0);
  });
});
