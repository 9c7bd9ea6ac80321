// The SSE subscriber over a real socket: replay then live, one write per turn, backpressure, cuts logged once.
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComparisonEvent } from '../../src/services/comparison-events.js';
import { SessionEventLog } from '../../src/services/event-log.js';
import { type SseOptions, SseSubscriber } from '../../src/services/sse-subscriber.js';
import { captureLogs } from '../helper.js';
import { openSse } from '../support/sse-client.js';

const chunk = (text: string): ComparisonEvent => ({
  type: 'model_chunk',
  modelId: 'm',
  chunk: text,
  timestamp: 't',
});
const finalEvent: ComparisonEvent = {
  type: 'comparison_error',
  error: 'Every model failed',
  status: 'failed',
  errorMessage: 'Every model failed',
  timestamp: 't',
};

const defaults: SseOptions = {
  pingIntervalMs: 60_000,
  maxLagBytes: 1024 * 1024 * 1024,
  writeChunkBytes: 64 * 1024,
  retryMs: 1000,
  stallTimeoutMs: 60_000,
};

interface Served {
  res: ServerResponse;
  subscriber: SseSubscriber;
  /** Every text handed to res.write / res.end, and how much the response held unsent after each. */
  writes: { text: string; pending: number }[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real HTTP server whose every request is one subscriber of `log`. */
async function serve(log: SessionEventLog, options: Partial<SseOptions> = {}, afterId = 0) {
  const logs = captureLogs();
  const logger = pino({ level: 'info' }, logs.stream);
  const served: Served[] = [];
  const server: Server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const writes: Served['writes'] = [];
    // A probe, not a stand-in: every call still reaches the real socket.
    const write = res.write.bind(res) as (text: string) => boolean;
    res.write = ((text: string) => {
      const ok = write(text);
      writes.push({ text, pending: res.writableLength });
      return ok;
    }) as typeof res.write;
    const end = res.end.bind(res) as (text?: string) => ServerResponse;
    res.end = ((text?: string) => {
      if (typeof text === 'string') writes.push({ text, pending: res.writableLength });
      return end(text);
    }) as typeof res.end;
    const from = Number(req.headers['last-event-id'] ?? afterId);
    served.push({
      res,
      writes,
      subscriber: new SseSubscriber(res, log, from, { ...defaults, ...options }, logger),
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  return { url: `http://127.0.0.1:${port}/`, port, served, logs };
}

/** A raw client that sends its request and then never reads: the server's writes pile up in the kernel. */
async function nonReader(port: number) {
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  socket.pause();
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  cleanups.push(() => {
    socket.destroy();
  });
  return { socket, closed };
}

/** A log of `n` chunk events of about `size` bytes each: enough to fill both kernels' socket buffers. */
function bigLog(n: number, size = 64 * 1024) {
  const log = new SessionEventLog('s1');
  const text = 'x'.repeat(size);
  for (let i = 0; i < n; i++) log.append(chunk(text));
  return log;
}

async function until(check: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const cutLines = (lines: string[]) => lines.filter((l) => l.includes('disconnecting it'));

describe('SseSubscriber', () => {
  it('replays what the log holds after the cursor, then follows it live, and ends after the final event', async () => {
    const log = new SessionEventLog('s1');
    for (const t of ['a', 'b', 'c']) log.append(chunk(t));
    const { url } = await serve(log);
    const client = openSse(url, { 'last-event-id': '1' });
    await client.waitFor((e) => e.id === '3');
    log.append(chunk('d'));
    await client.waitFor((e) => e.id === '4');
    log.append(finalEvent);
    // Appended but not stored: the client must not get the final event yet.
    await sleep(30);
    expect(client.events.map((e) => e.id)).toEqual(['2', '3', '4']);
    log.markStored(5);
    const { ended } = await client.done;
    expect(ended).toBe(true);
    expect(client.events.map((e) => [e.id, e.event])).toEqual([
      ['2', 'model_chunk'],
      ['3', 'model_chunk'],
      ['4', 'model_chunk'],
      ['5', 'comparison_error'],
    ]);
    expect(client.events.map((e) => (e.data as { chunk?: string }).chunk)).toEqual([
      'b',
      'c',
      'd',
      undefined,
    ]);
    expect(client.comments).toContain(': connected');
  });

  it('frames appended in one turn of the event loop go out in one write', async () => {
    const log = new SessionEventLog('s1');
    const { url, served } = await serve(log);
    const client = openSse(url);
    await client.headers;
    await until(() => served.length === 1 && (served[0]?.writes.length ?? 0) >= 1);
    const before = served[0]?.writes.length ?? 0;
    for (let i = 0; i < 50; i++) log.append(chunk(`c${i}`));
    await client.waitFor((e) => e.id === '50');
    const after = served[0]?.writes.slice(before) ?? [];
    expect(after).toHaveLength(1);
    expect(after[0]?.text).toBe(log.events.map((e) => e.frame).join(''));
  });

  it('under backpressure waits for drain instead of buffering, then delivers everything in order', async () => {
    const log = bigLog(160); // about 10 MB
    const { url, served } = await serve(log);
    const client = openSse(url);
    await client.headers;
    client.pause();
    await until(() => served[0]?.res.writableNeedDrain === true);
    await sleep(200);
    const res = served[0]?.res;
    const writes = served[0]?.writes ?? [];
    // The socket is full: the subscriber stopped with one write pending at most, the rest left in the log.
    expect(writes.length).toBeLessThan(160);
    expect(res?.writableNeedDrain).toBe(true);
    for (const w of writes) expect(w.pending).toBeLessThanOrEqual(64 * 1024 + 2 * (64 * 1024 + 200));
    const stalled = writes.length;
    await sleep(100);
    expect(writes.length).toBe(stalled);
    client.resume();
    log.append(finalEvent);
    log.markStored(log.lastId);
    const { ended } = await client.done;
    expect(ended).toBe(true);
    const ids = client.events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(ids.at(-1)).toBe(161);
  });

  it('a client that never reads is cut after stallTimeoutMs, with one log line, though nothing new arrives', async () => {
    const log = bigLog(160);
    const { port, served, logs } = await serve(log, { stallTimeoutMs: 300, pingIntervalMs: 50 });
    const started = Date.now();
    const { socket, closed } = await nonReader(port);
    await until(() => served.length === 1);
    await served[0]?.subscriber.done;
    const elapsed = Date.now() - started;
    expect(served[0]?.res.destroyed).toBe(true);
    // The client, reading at last, finds its connection closed short of the whole log.
    let received = 0;
    socket.on('data', (d: Buffer) => {
      received += d.length;
    });
    socket.resume();
    await closed;
    expect(received).toBeLessThan(log.totalBytes);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
    // Pings and appends after the cut neither write nor log.
    log.append(chunk('late'));
    await sleep(400);
    const lines = cutLines(logs.lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/read nothing for a long time/);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ sessionId: 's1', lastEventId: expect.any(Number) });
  });

  it('a client that falls too far behind is cut once, with one log line, however much more arrives', async () => {
    const log = bigLog(160);
    const { port, served, logs } = await serve(log, { maxLagBytes: 1024 * 1024, stallTimeoutMs: 500 });
    await nonReader(port);
    await until(() => served[0]?.res.writableNeedDrain === true);
    // The socket is full and the client is some MB behind: the next append cuts it.
    for (let i = 0; i < 20; i++) log.append(chunk('more'));
    await served[0]?.subscriber.done;
    expect(served[0]?.res.destroyed).toBe(true);
    for (let i = 0; i < 20; i++) log.append(chunk('still more'));
    // Past the stall timeout too: the cut subscriber's stall timer must not log a second time.
    await sleep(700);
    const lines = cutLines(logs.lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/fell too far behind/);
    expect(log.subscriberCount).toBe(0);
  });
});
