// A loopback OpenAI-compatible server that replays recorded answers byte for byte (test/support/compat-fixtures.ts).
/*
 * API
 *   const server = await startCompatServer()
 *   server.baseURL                 `${url}/v1`, as a models file's baseURL
 *   server.script(...replies)      queue replies to POST /v1/chat/completions, in order
 *   server.respond(fn)             what answers when the queue is empty: (request) => Reply
 *   server.models(reply)           what GET /v1/models answers (default: 404)
 *   server.requests                every request: method, path, headers, parsed JSON body
 *   server.close()
 * A Reply is { frames, intervalMs? } (an event stream: each frame written as it is, then the end),
 * { status, type, body } (any body, as given), or { hang: true } (headers never sent).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Reply =
  | { frames: readonly string[]; intervalMs?: number }
  | { status: number; type: string; body: string; delayMs?: number }
  | { hang: true };

export interface CompatRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type CompatServer = Awaited<ReturnType<typeof startCompatServer>>;

export const json = (status: number, value: unknown, delayMs = 0): Reply => ({
  status,
  type: 'application/json',
  body: JSON.stringify(value),
  delayMs,
});

export async function startCompatServer() {
  const queue: Reply[] = [];
  const requests: CompatRequest[] = [];
  let responder: (request: CompatRequest) => Reply = () => json(500, { error: 'no reply scripted' });
  let modelsReply: Reply = json(404, { error: 'not found' });

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      // kept empty: the reply is scripted anyway
    }
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: CompatRequest = { method: req.method ?? 'GET', path, headers: req.headers, body };
    requests.push(request);
    const reply =
      path === '/v1/models'
        ? modelsReply
        : path === '/v1/chat/completions'
          ? (queue.shift() ?? responder(request))
          : json(404, { error: 'no such route' });
    if ('hang' in reply) return;
    if ('status' in reply) {
      if (reply.delayMs) await sleep(reply.delayMs);
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': reply.type }).end(reply.body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    for (const frame of reply.frames) {
      if (reply.intervalMs) await sleep(reply.intervalMs);
      if (res.destroyed) return;
      res.write(frame);
    }
    res.end();
  });

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    script(...replies: Reply[]) {
      queue.push(...replies);
    },
    respond(fn: (request: CompatRequest) => Reply) {
      responder = fn;
    },
    models(reply: Reply) {
      modelsReply = reply;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
