// A scriptable loopback server speaking OpenAI's and Anthropic's streaming APIs, for tests and the benchmark.
/*
 * API
 *   const server = await startProviderServer(fallback?: Script | Responder)
 *   server.url                 'http://127.0.0.1:<port>'
 *   server.openaiBaseURL       `${url}/v1`  (OPENAI_BASE_URL)
 *   server.anthropicBaseURL    url          (ANTHROPIC_BASE_URL)
 *   server.script(...scripts)  queue scripts; each request (either wire) takes the next one, in order
 *   server.respond(fallback)   what answers when the queue is empty (default: a short answer per model)
 *   server.requests            RecordedRequest[]: wire, path, headers, parsed body, model, closedByClient
 *   server.waitForRequests(n, timeoutMs?)   resolves once n requests arrived
 *   server.waitForClose(index?, timeoutMs?) resolves once the client closed that request's connection
 *                              before the response ended (default: the latest request)
 *   server.reset()             clears the queue and the recorded requests
 *   server.close()             ends every connection (hanging ones too) and stops listening
 *
 * A Script is either an HTTP error ({ status, body?, headers? }) or a stream:
 *   text / deltas (explicit strings, or a count: the text split in that many, or N generated words),
 *   headersDelayMs, firstDelayMs, intervalMs, usage (null: none sent), finishReason,
 *   thinking (Anthropic thinking block first), outputTokenSteps (extra cumulative message_delta events),
 *   hangAfter N deltas (socket stays open, silent), errorAfter N deltas with `error` (mid-stream error event),
 *   destroyAfter N deltas (socket destroyed),
 *   atSend (rewrites each delta just before it is written: the benchmark stamps send times into it),
 *   gate (a promise the first delta also waits for, before firstDelayMs: the benchmark releases streams at once).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { anthropicWriter, errorBody, openaiWriter, type ScriptUsage } from './wire-formats.js';

export type Wire = 'openai' | 'anthropic';

export interface ErrorScript {
  status: number;
  /** JSON body; the wire's generic error body when absent. */
  body?: unknown;
  headers?: Record<string, string>;
  headersDelayMs?: number;
}

export interface StreamScript {
  text?: string;
  deltas?: string[] | number;
  headersDelayMs?: number;
  firstDelayMs?: number;
  intervalMs?: number;
  /** Default: input 12, output = number of deltas. `null` sends no usage at all. */
  usage?: ScriptUsage | null;
  /** Default 'stop' (OpenAI) / 'end_turn' (Anthropic). */
  finishReason?: string;
  thinking?: string;
  outputTokenSteps?: number[];
  hangAfter?: number;
  errorAfter?: number;
  error?: { type: string; message: string };
  destroyAfter?: number;
  /** Called as each delta is written, with its planned text and index; its result is sent instead. */
  atSend?: (text: string, index: number) => string;
  /** The stream's first delta waits for this (then for firstDelayMs); the headers go out before. */
  gate?: Promise<unknown>;
}

export type Script = ErrorScript | StreamScript;
export type Responder = (request: RecordedRequest) => Script;

export interface RecordedRequest {
  index: number;
  wire: Wire;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  model: string;
  /** The client closed the connection before the response was complete. */
  closedByClient: boolean;
  closed: Promise<void>;
}

export type ProviderServer = Awaited<ReturnType<typeof startProviderServer>>;

const defaultResponder: Responder = (req) => ({
  text: `Hello from ${req.model}, streamed by the test server.`,
});

function splitDeltas(script: StreamScript): string[] {
  const { text, deltas } = script;
  if (Array.isArray(deltas)) return deltas;
  if (typeof deltas === 'number') {
    if (text === undefined) return Array.from({ length: deltas }, (_, i) => `w${i} `);
    const size = Math.ceil(text.length / deltas);
    return Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
      text.slice(i * size, (i + 1) * size),
    );
  }
  return (text ?? 'Hello.').match(/\S+\s*/g) ?? [];
}

export async function startProviderServer(fallback: Script | Responder = defaultResponder) {
  const queue: Script[] = [];
  const requests: RecordedRequest[] = [];
  const arrivals = new Set<() => void>();
  let respondWith: Responder = typeof fallback === 'function' ? fallback : () => fallback;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const wire: Wire | undefined = path.endsWith('/chat/completions')
      ? 'openai'
      : path.endsWith('/messages')
        ? 'anthropic'
        : undefined;
    if (!wire) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such route"}');
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      // recorded as empty; the script decides the answer
    }
    let markClosed = () => {};
    const record: RecordedRequest = {
      index: requests.length,
      wire,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      model: typeof body.model === 'string' ? body.model : '',
      closedByClient: false,
      closed: new Promise<void>((resolve) => {
        markClosed = resolve;
      }),
    };
    res.on('close', () => {
      if (res.writableEnded) return;
      record.closedByClient = true;
      markClosed();
    });
    requests.push(record);
    for (const notify of arrivals) notify();
    const script = queue.shift() ?? respondWith(record);
    await answer(res, record, script);
  });

  async function answer(res: ServerResponse, record: RecordedRequest, script: Script) {
    const gone = () => res.destroyed || record.closedByClient;
    const pause = async (ms = 0) => {
      if (ms > 0) await sleep(ms);
      return !gone();
    };
    if (!(await pause(script.headersDelayMs))) return;
    if ('status' in script) {
      const payload = script.body ?? errorBody(record.wire, script.status);
      res.writeHead(script.status, { 'content-type': 'application/json', ...script.headers });
      res.end(JSON.stringify(payload));
      return;
    }
    const deltas = splitDeltas(script);
    const usage =
      script.usage === undefined ? { inputTokens: 12, outputTokens: deltas.length } : script.usage;
    const writer =
      record.wire === 'openai'
        ? openaiWriter(res, record.model, record.body)
        : anthropicWriter(res, record.model, { thinking: script.thinking, usage });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      [record.wire === 'openai' ? 'x-request-id' : 'request-id']: `req_test_${record.index}`,
    });
    res.flushHeaders();
    writer.start();
    if (script.gate) {
      await script.gate;
      if (gone()) return;
    }
    for (const [i, text] of deltas.entries()) {
      if (!(await pause(i === 0 ? script.firstDelayMs : script.intervalMs))) return;
      if (script.hangAfter === i) return void (await record.closed);
      if (script.destroyAfter === i) {
        // Let the deltas written so far reach the client first, as a connection cut mid-answer would.
        await sleep(20);
        return void res.destroy();
      }
      if (script.errorAfter === i) {
        const error = script.error ?? { type: 'api_error', message: 'Internal server error' };
        writer.error(error.type, error.message);
        return void res.end();
      }
      writer.delta(script.atSend ? script.atSend(text, i) : text);
    }
    if (script.hangAfter === deltas.length) return void (await record.closed);
    if (script.errorAfter === deltas.length && script.error) {
      writer.error(script.error.type, script.error.message);
      return void res.end();
    }
    if (!(await pause(script.intervalMs))) return;
    writer.finish(script.finishReason, usage, script.outputTokenSteps);
    res.end();
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const within = <T>(work: Promise<T>, timeoutMs: number, what: string) =>
    Promise.race([
      work,
      sleep(timeoutMs, undefined, { ref: false }).then(() => {
        throw new Error(`provider server: ${what} did not happen within ${timeoutMs} ms`);
      }),
    ]);

  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    script(...scripts: Script[]) {
      queue.push(...scripts);
    },
    respond(next: Script | Responder) {
      respondWith = typeof next === 'function' ? next : () => next;
    },
    waitForRequests(n: number, timeoutMs = 2000): Promise<void> {
      const arrived = new Promise<void>((resolve) => {
        const check = () => {
          if (requests.length < n) return;
          arrivals.delete(check);
          resolve();
        };
        arrivals.add(check);
        check();
      });
      return within(arrived, timeoutMs, `request #${n}`);
    },
    waitForClose(index = requests.length - 1, timeoutMs = 2000): Promise<void> {
      const record = requests[index];
      if (!record) return Promise.reject(new Error(`provider server: no request #${index}`));
      return within(record.closed, timeoutMs, `the client closing request #${index}`);
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
