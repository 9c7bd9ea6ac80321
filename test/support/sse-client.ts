// A raw SSE client over node:http for tests: parses frames, can stop reading, resume or hang up.
import http from 'node:http';

export interface SseEvent {
  id: string | null;
  event: string;
  data: unknown;
  raw: string;
}

export interface SseClient {
  status: Promise<number>;
  headers: Promise<http.IncomingHttpHeaders>;
  events: SseEvent[];
  comments: string[];
  /** Resolves when the server ends the response (or the socket closes). */
  done: Promise<{ ended: boolean; error?: Error }>;
  /** Resolves once an event matches (already received ones count). */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Stops reading from the socket: the server's writes pile up until its buffers are full. */
  pause(): void;
  resume(): void;
  close(): void;
  bytes(): number;
}

export function openSse(url: string, headers: Record<string, string> = {}): SseClient {
  const u = new URL(url);
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters: { match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }[] = [];
  let response: http.IncomingMessage | undefined;
  let received = 0;
  let resolveStatus: (n: number) => void = () => {};
  let resolveHeaders: (h: http.IncomingHttpHeaders) => void = () => {};
  const status = new Promise<number>((r) => {
    resolveStatus = r;
  });
  const headersP = new Promise<http.IncomingHttpHeaders>((r) => {
    resolveHeaders = r;
  });
  let req: http.ClientRequest;
  const done = new Promise<{ ended: boolean; error?: Error }>((resolve) => {
    req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers: { accept: 'text/event-stream', ...headers },
      },
      (res) => {
        response = res;
        resolveStatus(res.statusCode ?? 0);
        resolveHeaders(res.headers);
        res.setEncoding('utf8');
        let buf = '';
        let ended = false;
        res.on('data', (d: string) => {
          received += Buffer.byteLength(d);
          buf += d;
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let id: string | null = null;
            let event = 'message';
            const data: string[] = [];
            let isEvent = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) {
                comments.push(line);
                continue;
              }
              const c = line.indexOf(':');
              const field = c < 0 ? line : line.slice(0, c);
              const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
              if (field === 'id') id = value;
              else if (field === 'event') event = value;
              else if (field === 'data') data.push(value);
              else continue;
              isEvent = true;
            }
            if (!isEvent) continue;
            const text = data.join('\n');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {}
            const e = { id, event, data: parsed, raw: block };
            events.push(e);
            for (const w of [...waiters])
              if (w.match(e)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(e);
              }
          }
        });
        res.on('end', () => {
          ended = true;
          resolve({ ended: true });
        });
        res.on('close', () => resolve({ ended }));
        res.on('error', (error) => resolve({ ended, error }));
      },
    );
    req.on('error', (error) => {
      resolveStatus(0);
      resolve({ ended: false, error });
    });
    req.end();
  });
  return {
    status,
    headers: headersP,
    events,
    comments,
    done,
    waitFor(match, timeoutMs = 10_000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('SSE event did not arrive in time')), timeoutMs);
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    pause: () => response?.pause(),
    resume: () => response?.resume(),
    close: () => req.destroy(),
    bytes: () => received,
  };
}

/** Joins each model's chunks: what a client saw, per model. */
export function textsByModel(events: SseEvent[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const e of events) {
    if (e.event !== 'model_chunk') continue;
    const d = e.data as { modelId: string; chunk: string };
    texts[d.modelId] = (texts[d.modelId] ?? '') + d.chunk;
  }
  return texts;
}
