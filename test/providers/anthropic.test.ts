// The Anthropic adapter through the real SDK against the loopback server speaking Anthropic's wire format.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { catalog } from '../../src/providers/catalog.js';
import { collect, failureOf, generateRequest } from '../support/collect.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';

const KEY = 'sk-ant-api03-TEST-0123456789-secret';
let server: ProviderServer;

beforeAll(async () => {
  server = await startProviderServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const provider = (idleTimeoutMs = 5000) =>
  createAnthropicProvider({
    endpoint: {
      id: 'anthropic',
      name: 'Anthropic',
      wire: 'anthropic-messages',
      apiKey: KEY,
      baseURL: server.anthropicBaseURL,
    },
    idleTimeoutMs,
  });

// The Anthropic SDK treats a zero retry-after as absent and backs off 0.5 s+; 1 ms keeps the suite fast.
const FAST_RETRY = { 'retry-after-ms': '1' };

const anthropicError = (type: string, message: string) => ({
  type: 'error',
  error: { type, message },
  request_id: 'req_test',
});

describe('Anthropic adapter: streams', () => {
  it('yields text deltas, thinking as reasoning (not signatures or pings), then a finish with cache tokens', async () => {
    server.script({
      thinking: 'Let me think about greetings first.',
      deltas: ['Hel', 'lo', ', world'],
      usage: { inputTokens: 20, cachedInputTokens: 5, cacheWriteInputTokens: 3, outputTokens: 9 },
    });
    const result = await collect(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(result.error).toBeUndefined();
    const types = result.parts.map((p) => p.type);
    expect(types.filter((t) => t !== 'reasoning')).toEqual(['text', 'text', 'text', 'finish']);
    expect(types.lastIndexOf('reasoning')).toBeLessThan(types.indexOf('text'));
    expect(result.text).toBe('Hello, world');
    const reasoning = result.parts.map((p) => (p.type === 'reasoning' ? p.text : '')).join('');
    expect(reasoning).toBe('Let me think about greetings first.');
    // The whole prompt in inputTokens, with the cache read and cache write parts named.
    expect(result.usage).toEqual({
      inputTokens: 28,
      outputTokens: 9,
      cachedInputTokens: 5,
      cacheWriteInputTokens: 3,
    });
    expect(result.finishReason).toBe('stop');

    const [request] = server.requests;
    expect(request?.path).toBe('/v1/messages');
    // This SDK version sends the key as a bearer token; older ones used x-api-key.
    expect(request?.headers['x-api-key'] ?? request?.headers.authorization?.replace(/^Bearer /, '')).toBe(
      KEY,
    );
    expect(request?.body).toMatchObject({
      model: 'claude-haiku-4-5-20251001',
      stream: true,
      max_tokens: 4096,
    });
  });

  it('takes the cumulative output tokens of the last message_delta, never their sum', async () => {
    server.script({
      text: 'counting tokens',
      outputTokenSteps: [2, 5],
      usage: { inputTokens: 10, outputTokens: 9 },
    });
    const result = await collect(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(result.usage?.outputTokens).toBe(9);
    expect(result.usage?.inputTokens).toBe(10);
  });

  it('maps max_tokens to a length finish', async () => {
    server.script({ text: 'cut', finishReason: 'max_tokens' });
    const result = await collect(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(result.finishReason).toBe('length');
  });

  it('sends max_tokens, the system prompt and a temperature clamped to Anthropic’s 0..1', async () => {
    server.script({}, {});
    await collect(
      provider().stream(generateRequest('claude-3-5-haiku', { system: 'Be brief.', temperature: 1.6 })),
    );
    await collect(
      provider().stream(generateRequest('claude-3-5-haiku', { maxTokens: 123, temperature: 0.4 })),
    );
    const [first, second] = server.requests;
    expect(first?.body).toMatchObject({ system: 'Be brief.', temperature: 1, max_tokens: 4096 });
    expect(first?.body.messages).toEqual([{ role: 'user', content: 'Say hello' }]);
    expect(second?.body).toMatchObject({ temperature: 0.4, max_tokens: 123 });
    expect(second?.body).not.toHaveProperty('system');
  });
});

describe('Anthropic adapter: failures', () => {
  it('turns a mid-stream overloaded_error event into overloaded, after the text so far', async () => {
    server.script({
      deltas: ['one ', 'two ', 'three'],
      errorAfter: 2,
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const result = await collect(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(result.text).toBe('one two ');
    expect(result.error).toMatchObject({ kind: 'overloaded', provider: 'anthropic' });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 529 before the first byte, then streams', async () => {
    server.script(
      { status: 529, headers: FAST_RETRY, body: anthropicError('overloaded_error', 'Overloaded') },
      { text: 'second try' },
    );
    const result = await collect(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(result.text).toBe('second try');
    expect(server.requests).toHaveLength(2);
  });

  it('maps a 529 that persists through the retries to overloaded', async () => {
    const busy = { status: 529, headers: FAST_RETRY, body: anthropicError('overloaded_error', 'Overloaded') };
    server.script(busy, busy, busy);
    const error = await failureOf(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(error).toMatchObject({ kind: 'overloaded', status: 529 });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a plain 429 after its retry-after', async () => {
    server.script(
      { status: 429, headers: FAST_RETRY, body: anthropicError('rate_limit_error', 'Rate limited') },
      { text: 'after the limit' },
    );
    const result = await collect(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(result.text).toBe('after the limit');
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 429 for a reached spend limit', async () => {
    server.script({
      status: 429,
      headers: FAST_RETRY,
      body: {
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: 'You have reached your specified workspace API usage limits.',
          details: { error_code: 'enforced_spend_limit_reached' },
        },
      },
    });
    const error = await failureOf(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(error.kind).toBe('rate_limited');
    expect(error.message).toMatch(/spend limit/);
    expect(server.requests).toHaveLength(1);
  });

  it('maps 401 to authentication without echoing the key', async () => {
    server.script({ status: 401, body: anthropicError('authentication_error', `invalid x-api-key ${KEY}`) });
    const error = await failureOf(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(error).toMatchObject({ kind: 'authentication', status: 401 });
    expect(error.message).toBe('Anthropic rejected the API key (401)');
    expect(server.requests).toHaveLength(1);
  });

  it('maps 400 to bad_request with the upstream explanation, keys redacted', async () => {
    server.script({
      status: 400,
      body: anthropicError('invalid_request_error', `max_tokens: 999999 > 64000, the maximum (${KEY})`),
    });
    const error = await failureOf(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(error.message).toContain('max_tokens: 999999 > 64000');
    expect(error.message).not.toContain('sk-ant');
  });

  it('fails a silent stream with timeout and closes the upstream connection', async () => {
    server.script({ deltas: ['one ', 'two ', 'three'], hangAfter: 2 });
    const result = await collect(provider(1000).stream(generateRequest('claude-haiku-4-5')));
    expect(result.text).toBe('one two ');
    expect(result.error?.kind).toBe('timeout');
    await server.waitForClose(0);
  });

  it('reports a stream cut before message_stop as a network error', async () => {
    server.script({ deltas: ['one ', 'two ', 'three'], destroyAfter: 2 });
    const result = await collect(provider().stream(generateRequest('claude-haiku-4-5')));
    expect(result.text).toBe('one two ');
    expect(result.error?.kind).toBe('network');
  });
});

describe('Anthropic adapter: cancellation', () => {
  it('aborting mid-stream throws cancelled and closes the upstream socket', async () => {
    server.script({ deltas: 50, intervalMs: 20 });
    const controller = new AbortController();
    const result = await collect(
      provider().stream(generateRequest('claude-haiku-4-5', { signal: controller.signal })),
      () => controller.abort(),
    );
    expect(result.error).toMatchObject({ kind: 'cancelled', provider: 'anthropic' });
    await server.waitForClose(0);
  });

  it('aborting during the retry back-off throws cancelled at once', async () => {
    server.script({
      status: 529,
      headers: { 'retry-after': '5' },
      body: anthropicError('overloaded_error', 'Overloaded'),
    });
    const controller = new AbortController();
    const started = Date.now();
    const pending = failureOf(
      provider().stream(generateRequest('claude-haiku-4-5', { signal: controller.signal })),
    );
    await server.waitForRequests(1);
    setTimeout(() => controller.abort(), 50);
    expect((await pending).kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('Anthropic catalogue models', () => {
  it('none is one the SDK warns about as deprecated: no request writes to the console', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      for (const model of catalog.filter((m) => m.provider === 'anthropic')) {
        server.script({ deltas: ['ok'] });
        const result = await collect(provider().stream({ ...generateRequest('claude-haiku-4-5'), model }));
        expect(result.error, model.id).toBeUndefined();
      }
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
