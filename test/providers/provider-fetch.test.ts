// The fetch under the SDKs: event streams cut into small pieces lose nothing; redirects fail clearly, once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../src/providers/anthropic.js';
import { eventPieces } from '../../src/providers/event-pieces.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import { collect, generateRequest } from '../support/collect.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const joined = (parts: Uint8Array[]) => Buffer.concat(parts).toString('utf8');

describe('eventPieces', () => {
  it('passes the same bytes in the same order and the upstream error object itself', async () => {
    const failure = new Error('socket hang up');
    let sent = 0;
    const upstream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 3) controller.enqueue(bytes(`data: ${sent}\n\n`.repeat(400)));
        else controller.error(failure);
      },
    });
    const reader = eventPieces(upstream, 256).getReader();
    const received: Uint8Array[] = [];
    const error = await (async () => {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) return undefined;
          received.push(value);
        }
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBe(failure);
    expect(joined(received)).toBe(
      ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n'].map((e) => e.repeat(400)).join(''),
    );
    expect(Math.max(...received.map((r) => r.length))).toBeLessThanOrEqual(256);
  });
});

describe('through the SDKs', () => {
  let server: ProviderServer;
  beforeAll(async () => {
    server = await startProviderServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('an OpenAI answer sent in one burst (large socket reads) arrives whole, multi-byte text and a 5 KiB delta included', async () => {
    const deltas = [
      ...Array.from({ length: 3000 }, (_, i) => `tök${i}😀 `),
      `${'long line é '.repeat(400)}`,
      'end',
    ];
    server.script({ deltas, intervalMs: 0, usage: { inputTokens: 5, outputTokens: deltas.length } });
    const provider = createOpenAIProvider({
      endpoint: {
        id: 'openai',
        name: 'OpenAI',
        wire: 'openai-chat',
        apiKey: 'sk-test',
        baseURL: server.openaiBaseURL,
      },
      idleTimeoutMs: 5000,
    });
    const result = await collect(provider.stream(generateRequest('gpt-4o-mini')));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe(deltas.join(''));
    expect(result.usage?.outputTokens).toBe(deltas.length);
  });
});

describe('a base URL that redirects', () => {
  let target: Server;
  let redirecting: Server;
  const hits = { target: 0, redirecting: 0 };
  const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  const listen = (s: Server) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));

  beforeAll(async () => {
    target = createServer((req, res) => {
      hits.target++;
      req.resume();
      res.writeHead(500).end();
    });
    await listen(target);
    redirecting = createServer((req, res) => {
      hits.redirecting++;
      req.resume();
      res.writeHead(307, { location: `${urlOf(target)}${req.url}` }).end();
    });
    await listen(redirecting);
  });
  afterAll(() => {
    target.close();
    redirecting.close();
  });
  beforeEach(() => {
    hits.target = 0;
    hits.redirecting = 0;
  });

  it.each([
    [
      'OpenAI',
      'gpt-4o-mini',
      () =>
        createOpenAIProvider({
          endpoint: {
            id: 'openai',
            name: 'OpenAI',
            wire: 'openai-chat',
            apiKey: 'sk-test',
            baseURL: `${urlOf(redirecting)}/v1`,
          },
          idleTimeoutMs: 5000,
        }),
    ],
    [
      'Anthropic',
      'claude-haiku-4-5',
      () =>
        createAnthropicProvider({
          endpoint: {
            id: 'anthropic',
            name: 'Anthropic',
            wire: 'anthropic-messages',
            apiKey: 'sk-ant-test',
            baseURL: urlOf(redirecting),
          },
          idleTimeoutMs: 5000,
        }),
    ],
  ])(
    '%s: fails at once with a message naming the fix, and the redirect is not followed',
    async (_name, model, make) => {
      const result = await collect(make().stream(generateRequest(model)));
      expect(result.error?.kind).toBe('bad_request');
      expect(result.error?.message).toContain(`${urlOf(redirecting)} answered with a redirect`);
      expect(result.error?.message).toContain('base URL');
      expect(hits).toEqual({ target: 0, redirecting: 1 });
    },
  );
});
