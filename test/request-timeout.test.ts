// Request timeouts on the real process: a client that dribbles its request is cut; a long stream is not.

import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from './support/process.js';
import { type ProviderServer, startProviderServer } from './support/provider-server.js';
import { openSse } from './support/sse-client.js';
import { signHs256 } from './support/tokens.js';

const SECRET = 'request-timeout-secret-0123456789abcdef';
const TIMEOUT_MS = 1500;
const dir = mkdtempSync(join(tmpdir(), 'playground-timeout-'));
let provider: ProviderServer;
let server: ServerProcess;
let url: string;
const token = signHs256({ sub: 'slow-client' }, SECRET);

beforeAll(async () => {
  // Every model answers one word, then hangs: its stream stays open for as long as the test wants.
  provider = await startProviderServer({ text: 'Hello there, friend', hangAfter: 1 });
  server = startServerProcess({
    DATABASE_PATH: join(dir, 'db.sqlite'),
    JWT_SECRET: SECRET,
    DEMO_MODELS: 'false',
    OPENAI_API_KEY: 'sk-test-timeout',
    OPENAI_BASE_URL: provider.openaiBaseURL,
    REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
    SHUTDOWN_GRACE_MS: '0',
    LOG_LEVEL: 'info',
  });
  url = await server.url;
});
afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `head`, then one byte of `dribble` every `everyMs`; resolves when the server closes the socket. */
function dribble(head: string, dribble: string, everyMs: number, giveUpMs: number) {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  const started = Date.now();
  let received = '';
  let i = 0;
  socket.on('data', (d) => {
    received += d.toString();
  });
  socket.on('error', () => {});
  socket.write(head);
  const timer = setInterval(() => {
    if (i < dribble.length && socket.writable) socket.write(dribble[i++] ?? '');
  }, everyMs);
  return new Promise<{ closedAfterMs: number | null; received: string }>((resolve) => {
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve({ closedAfterMs: null, received });
    }, giveUpMs);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, received });
    });
  });
}

function envelopeOf(raw: string) {
  return JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
}

describe('request timeouts', () => {
  it('cuts a POST whose body arrives one byte at a time, with a 408 envelope', async () => {
    const body = JSON.stringify({ prompt: 'x'.repeat(100), modelIds: ['gpt-4o-mini'] });
    const head =
      `POST /comparison HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const r = await dribble(head, body, 300, 8000);
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs).toBeLessThan(TIMEOUT_MS + 2000);
    expect(r.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(envelopeOf(r.received)).toEqual({
      statusCode: 408,
      error: 'Request Timeout',
      code: 'REQUEST_TIMEOUT',
      message: 'The request took too long to arrive',
      timestamp: expect.any(String),
    });
  }, 15_000);

  it('cuts a request whose headers arrive one byte at a time', async () => {
    const r = await dribble(
      'GET / HTTP/1.1\r\n',
      `Host: 127.0.0.1\r\nX-Slow: ${'y'.repeat(40)}\r\n\r\n`,
      300,
      8000,
    );
    expect(r.closedAfterMs).not.toBeNull();
    expect(r.closedAfterMs).toBeLessThan(TIMEOUT_MS + 2000);
    expect(r.received).toMatch(/^HTTP\/1\.1 408 /);
  }, 15_000);

  it('leaves an SSE stream open well past the request timeout', async () => {
    const created = await fetch(`${url}/comparison`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Say hello', modelIds: ['gpt-4o-mini'] }),
    });
    expect(created.status).toBe(201);
    const { streamUrl } = (await created.json()) as { streamUrl: string };
    const stream = openSse(new URL(streamUrl, url).href);
    expect(await stream.status).toBe(200);
    await stream.waitFor((e) => e.event === 'model_chunk');
    const open = await Promise.race([stream.done.then(() => false), sleep(TIMEOUT_MS * 3).then(() => true)]);
    expect(open).toBe(true);
    stream.close();
  }, 15_000);
});
