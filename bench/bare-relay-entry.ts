// Bench-only entry: a minimal node:http pass-through relay, the practical floor of any Node relay.
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, startProbe } from './child-probe.js';

/**
 * POST /v1/chat/completions is sent on to UPSTREAM_URL as it came; the upstream's SSE bytes are
 * written on chunk by chunk as they arrive (one res.write each, honouring backpressure). No parsing,
 * no storage: what a relay cannot do without.
 */
const upstream = new URL(process.env.UPSTREAM_URL ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

const server = createServer((req, res) => {
  if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
    res.writeHead(404).end();
    return;
  }
  req.socket.setNoDelay(true);
  const out = request(
    new URL(req.url, upstream),
    {
      method: 'POST',
      agent,
      headers: {
        'content-type': req.headers['content-type'] ?? 'application/json',
        authorization: req.headers.authorization ?? '',
        ...(req.headers['content-length'] ? { 'content-length': req.headers['content-length'] } : {}),
      },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, {
        'content-type': up.headers['content-type'] ?? 'text/event-stream',
        'cache-control': 'no-cache',
      });
      res.flushHeaders();
      up.on('data', (chunk: Buffer) => {
        if (!res.write(chunk)) {
          up.pause();
          res.once('drain', () => up.resume());
        }
      });
      up.on('end', () => res.end());
      up.on('error', () => res.destroy());
    },
  );
  out.on('error', () => res.destroy());
  res.on('close', () => out.destroy());
  req.pipe(out);
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
      agent.destroy();
      setTimeout(() => process.exit(0), 50);
      return true;
    },
  },
});
announceReady(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
