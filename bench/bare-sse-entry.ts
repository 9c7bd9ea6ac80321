// Bench-only entry: a bare node:http server writing the relay's SSE frames itself, the reference for limits.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, startProbe } from './child-probe.js';

const headers = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** The frame the relay writes for a chunk, built the same way: one JSON.stringify and a template. */
function frame(id: number, sessionId: string, modelId: string, chunk: string): string {
  const data = JSON.stringify({ sessionId, modelId, chunk, timestamp: new Date().toISOString() });
  return `id: ${id}\nevent: model_chunk\ndata: ${data}\n\n`;
}

/** One res.write per frame, honouring backpressure, as a plain SSE endpoint would. */
async function writeFrames(res: ServerResponse, frames: number, modelId: string): Promise<void> {
  const sessionId = randomUUID();
  for (let i = 0; i < frames; i++) {
    if (res.destroyed) return;
    if (!res.write(frame(i + 1, sessionId, modelId, `w${i} `))) await once(res, 'drain');
  }
  res.end();
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/stream') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, headers);
  req.socket.setNoDelay(true);
  res.write('retry: 2000\n: connected\n\n');
  const frames = Number(url.searchParams.get('frames') ?? 0);
  if (frames > 0) {
    writeFrames(res, frames, url.searchParams.get('model') ?? 'bare-model').catch(() => res.destroy());
    return;
  }
  // An idle stream, held until the client leaves, with the same 15 s ping timer as the relay's streams.
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  res.once('close', () => clearInterval(ping));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');

startProbe({
  resolutionMs: Number(process.env.BENCH_ELD_RESOLUTION_MS ?? 2),
  handlers: {
    async close() {
      server.closeAllConnections();
      server.close();
      setTimeout(() => process.exit(0), 50);
      return true;
    },
  },
});
announceReady(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
