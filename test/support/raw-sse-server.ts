// A loopback server that answers every request with an event stream of exactly the bytes a test gives.
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body, piece by piece; each piece is written as one write, waiting for the socket to drain. */
export type RawBody = () => Iterable<string | Uint8Array>;

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export async function startRawSseServer() {
  let body: RawBody = () => [];
  let closedByClient = 0;
  const server = createServer(async (req, res) => {
    for await (const _ of req) {
      // the request body is not needed
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.on('close', () => {
      if (!res.writableEnded) closedByClient++;
    });
    for (const piece of body()) {
      if (res.destroyed) return;
      if (!res.write(piece)) await drainedOrClosed(res);
    }
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** What every request gets from now on. */
    respond(next: RawBody) {
      body = next;
    },
    /** Responses the client closed before their end (a model stopped early). */
    closedByClient: () => closedByClient,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
