// The load generator's HTTP: raw node:http with keep-alive sockets, JSON posts and SSE readers.
import { Agent, type IncomingMessage, request } from 'node:http';
import { now } from './bench-spec.js';

/** Enough sockets for every stream of the largest block at once; kept alive between requests. */
export const agent = new Agent({
  keepAlive: true,
  maxSockets: Number.POSITIVE_INFINITY,
  maxFreeSockets: 2048,
});

export interface JsonResponse {
  status: number;
  body: unknown;
}

export function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text for the error message
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface StreamOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: unknown;
  /** Called with every complete frame, and when the bytes holding it arrived. */
  onFrame: (frame: string, arrivedAt: number) => void;
}

export interface OpenStream {
  /** When the response head arrived (the stream is open from then on). */
  opened: Promise<number>;
  /** Resolves with the status once the server ended the stream, or the client closed it. */
  done: Promise<number>;
  /** Closes the connection from the client side. */
  close(): void;
}

/** Opens an SSE response and splits it into frames (blank-line separated) as the bytes arrive. */
export function openStream(url: string, opts: StreamOptions): OpenStream {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  let markOpened: (at: number) => void = () => {};
  let failOpened: (err: Error) => void = () => {};
  const opened = new Promise<number>((resolve, reject) => {
    markOpened = resolve;
    failOpened = reject;
  });
  opened.catch(() => {});
  let response: IncomingMessage | undefined;
  const req = request(url, {
    method: opts.method ?? 'GET',
    agent,
    headers: {
      accept: 'text/event-stream',
      ...(payload === undefined
        ? {}
        : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
      ...opts.headers,
    },
  });
  const done = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      response = res;
      markOpened(now());
      const status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = now();
        buffer += chunk;
        let start = 0;
        for (;;) {
          const end = buffer.indexOf('\n\n', start);
          if (end < 0) break;
          opts.onFrame(buffer.slice(start, end), at);
          start = end + 2;
        }
        buffer = buffer.slice(start);
      });
      res.on('end', () => resolve(status));
      res.on('close', () => resolve(status));
      res.on('error', () => resolve(status));
    });
    req.on('error', (err) => {
      failOpened(err);
      reject(err);
    });
  });
  req.end(payload);
  return {
    opened,
    done,
    close() {
      response?.destroy();
      req.destroy();
    },
  };
}

export function getJson(url: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
