// The node:http fetch under the OpenAI SDK: every outcome a user sees is the one undici's fetch gives.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nodeBodyOf, nodeHttpFetch } from '../../src/providers/node-fetch.js';
import { createOpenAIProvider } from '../../src/providers/openai.js';
import type { Fetch } from '../../src/providers/types.js';
import { collect, generateRequest } from '../support/collect.js';
import { freePort } from '../support/free-port.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server;
let handler: Handler = (_req, res) => res.end();
const connections = new Set<Socket>();
let connectionsOpened = 0;
const closedRequests: string[] = [];

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
const usage = `data: ${JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [],
  usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
})}\n\n`;
const wholeStream = `${chunk({ role: 'assistant', content: 'Hel' })}${chunk({ content: 'lo' })}${chunk({}, 'stop')}${usage}data: [DONE]\n\n`;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (piece: string) => {
      body += piece;
    });
    req.on('end', () => handler(req, res, body));
    res.on('close', () => closedRequests.push(req.url ?? ''));
  });
  server.on('connection', (socket: Socket) => {
    connectionsOpened++;
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  connectionsOpened = 0;
  closedRequests.length = 0;
});

/** Waits up to a second for the server to see a request closed. */
async function untilClosed() {
  for (let i = 0; i < 100 && closedRequests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
}

const baseURL = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const fetches: [string, () => Fetch | undefined][] = [
  ['node:http (the default)', () => undefined],
  ["undici's fetch", () => globalThis.fetch],
];
const provider = (fetch: Fetch | undefined, url = baseURL(), idleTimeoutMs = 5000) =>
  createOpenAIProvider({
    endpoint: { id: 'openai', name: 'OpenAI', wire: 'openai-chat', apiKey: 'sk-test-123', baseURL: url },
    idleTimeoutMs,
    maxRetries: 0,
    ...(fetch ? { fetch } : {}),
  });

describe.each(fetches)('the OpenAI adapter over %s', (_name, fetchOf) => {
  it('sends the request whole and reads the stream with its usage', async () => {
    let seen: { headers: IncomingMessage['headers']; body: string } | undefined;
    handler = (req, res, body) => {
      seen = { headers: req.headers, body };
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(wholeStream);
    };
    const result = await collect(
      provider(fetchOf()).stream(generateRequest('gpt-4o-mini', { prompt: 'héllo ✓' })),
    );
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('Hello');
    expect(result.usage).toMatchObject({ inputTokens: 7, outputTokens: 2 });
    expect(seen?.headers.authorization).toBe('Bearer sk-test-123');
    expect(seen?.headers['content-length']).toBe(String(Buffer.byteLength(seen?.body ?? '')));
    expect(JSON.parse(seen?.body ?? '{}').messages.at(-1)).toEqual({ role: 'user', content: 'héllo ✓' });
  });

  it('decodes a gzip-compressed event stream', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      res.end(gzipSync(wholeStream));
    };
    const result = await collect(provider(fetchOf()).stream(generateRequest('gpt-4o-mini')));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('Hello');
  });

  it('keeps the connection for the next request', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(wholeStream);
    };
    const p = provider(fetchOf());
    for (let i = 0; i < 3; i++)
      expect((await collect(p.stream(generateRequest('gpt-4o-mini')))).text).toBe('Hello');
    // undici's global pool may hold a connection from an earlier test: none new then.
    expect(connectionsOpened).toBeLessThanOrEqual(1);
  });

  it('quotes the words of an HTML error page', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
    };
    const result = await collect(provider(fetchOf()).stream(generateRequest('gpt-4o-mini')));
    expect(result.error?.kind).toBe('upstream');
    expect(result.error?.message).toContain('502 Bad Gateway');
  });

  it('says the connection was lost when the server drops it mid-answer', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'Hel' }));
      setTimeout(() => req.socket.destroy(), 30);
    };
    const result = await collect(provider(fetchOf()).stream(generateRequest('gpt-4o-mini')));
    expect(result.text).toBe('Hel');
    expect(result.error?.kind).toBe('network');
    expect(result.error?.message).toBe('The connection to OpenAI was lost mid-answer');
  });

  it('says it could not reach a port nobody listens on', async () => {
    const url = `http://127.0.0.1:${await freePort()}/v1`;
    const result = await collect(provider(fetchOf(), url).stream(generateRequest('gpt-4o-mini')));
    expect(result.error?.kind).toBe('network');
    expect(result.error?.message).toBe('Could not reach OpenAI (connection failed)');
  });

  it('a cancel mid-answer closes the upstream request at once', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: 'Hel' }));
    };
    const controller = new AbortController();
    const result = await collect(
      provider(fetchOf()).stream(generateRequest('gpt-4o-mini', { signal: controller.signal })),
      () => controller.abort(),
    );
    expect(result.error?.kind).toBe('cancelled');
    await untilClosed();
    expect(closedRequests).toEqual(['/v1/chat/completions']);
  });

  it('a cancel before the response headers ends the wait at once', async () => {
    handler = () => {};
    const controller = new AbortController();
    const pending = collect(
      provider(fetchOf()).stream(generateRequest('gpt-4o-mini', { signal: controller.signal })),
    );
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    expect(result.error?.kind).toBe('cancelled');
    await untilClosed();
    expect(closedRequests).toEqual(['/v1/chat/completions']);
  });
});

describe('nodeHttpFetch itself', () => {
  const fetch = nodeHttpFetch();
  const init = { redirect: 'error' } as const;

  it('gives a 204 and a HEAD no body, as fetch does', async () => {
    handler = (req, res) => {
      res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'x-seen': req.method ?? '' });
      res.end();
    };
    const none = await fetch(`${baseURL()}/x`, { ...init, method: 'DELETE' });
    expect([none.status, none.body, none.headers.get('x-seen')]).toEqual([204, null, 'DELETE']);
    const head = await fetch(`${baseURL()}/x`, { ...init, method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, null]);
  });

  it('reads a JSON body through the web body, and rejects a redirect with the cause fetch gives', async () => {
    handler = (req, res) => {
      if (req.url === '/v1/moved') {
        res.writeHead(307, { location: '/v1/json' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    };
    expect(await (await fetch(`${baseURL()}/json`, init)).json()).toEqual({ ok: true });
    const err = await fetch(`${baseURL()}/moved`, init).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(((err as TypeError).cause as Error).message).toBe('unexpected redirect');
  });

  it("keeps fetch's body rules: one read, a clone reads its own copy, the Node body taken once", async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`answer to ${req.url}`);
    };
    const first = await fetch(`${baseURL()}/one`, init);
    expect(first).toBeInstanceOf(Response);
    expect(first.bodyUsed).toBe(false);
    const copy = first.clone();
    expect(await copy.text()).toBe('answer to /v1/one');
    expect(first.bodyUsed).toBe(false);
    expect(await first.text()).toBe('answer to /v1/one');
    expect(first.bodyUsed).toBe(true);
    await expect(first.text()).rejects.toThrow(TypeError);

    const streamed = await fetch(`${baseURL()}/two`, init);
    const node = nodeBodyOf(streamed);
    expect([node !== undefined, streamed.bodyUsed, nodeBodyOf(streamed)]).toEqual([true, true, undefined]);
    let text = '';
    for await (const piece of node ?? []) text += String(piece);
    expect(text).toBe('answer to /v1/two');

    // Read through its web body first: the Node body is no longer there to take.
    const web = await fetch(`${baseURL()}/three`, init);
    const read = await web.body?.getReader().read();
    expect(new TextDecoder().decode(read?.value)).toBe('answer to /v1/three');
    expect([web.bodyUsed, nodeBodyOf(web)]).toEqual([true, undefined]);
  });

  it('hands what it does not do itself to undici (a redirect to follow)', async () => {
    handler = (req, res) => {
      if (req.url === '/v1/moved') {
        res.writeHead(302, { location: '/v1/json' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ followed: req.url }));
    };
    expect(await (await fetch(`${baseURL()}/moved`)).json()).toEqual({ followed: '/v1/json' });
  });

  it('rejects with the reason of a signal aborted before the call', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await fetch(`${baseURL()}/x`, { ...init, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).name).toBe('AbortError');
  });
});
