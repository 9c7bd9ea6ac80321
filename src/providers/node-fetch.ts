// A fetch on node:http for the SDK clients: the same requests and errors, without undici's web streams.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Fetch } from './types.js';

/** fetch's Response, typed as a class whose body members a subclass may redefine. */
const FetchResponse: new (
  body: null,
  init: ResponseInit,
) => Pick<Response, 'status' | 'statusText' | 'headers' | 'ok'> = Response;

/**
 * A fetch `Response` over a Node body. Nothing of the web body is made until something reads
 * `body` (or `text()`, `json()`, ...): a stream read through `nodeBodyOf` never builds one. The
 * body methods read through a plain `Response` over the lazy web body, so they behave as fetch's
 * (a second read is refused, a locked body is refused).
 */
class NodeHttpResponse extends FetchResponse {
  private node: Readable | undefined;
  private web: ReadableStream<Uint8Array> | undefined;
  /** Read, or on its way to be: the Node body taken, a body method called, the web body pulled. */
  private used = false;

  constructor(node: Readable | undefined, init: ResponseInit) {
    super(null, init);
    this.node = node;
  }

  /**
   * The Node stream, once, unless the web body is in use: reading it directly costs about half the
   * CPU per upstream read of the web stream. Whoever takes it must not also read `body`.
   */
  takeNodeBody(): Readable | undefined {
    if (this.used || this.web || !this.node) return undefined;
    this.used = true;
    return this.node;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (!this.node) return null;
    if (!this.web) {
      const web = lazyWebBody(this.node, () => {
        // After a clone the lazy stream feeds both tee branches: reading the clone is not reading this.
        if (this.web === web) this.used = true;
      });
      this.web = web;
    }
    return this.web;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  /** A plain Response over the web body, for one of the body methods (called in them, so a refusal rejects). */
  private reader(): Response {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    const body = this.body;
    this.used = true;
    return new Response(body, this.init());
  }

  private init(): ResponseInit {
    return { status: this.status, statusText: this.statusText, headers: this.headers };
  }

  async text(): Promise<string> {
    return this.reader().text();
  }

  async json(): Promise<unknown> {
    return this.reader().json();
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.reader().arrayBuffer();
  }

  async blob(): Promise<Blob> {
    return this.reader().blob();
  }

  async formData(): Promise<FormData> {
    return this.reader().formData();
  }

  async bytes(): Promise<Uint8Array> {
    return new Uint8Array(await this.reader().arrayBuffer());
  }

  clone(): Response {
    if (this.used) throw new TypeError('Response.clone: Body has already been consumed.');
    const body = this.body;
    if (!body) return new Response(null, this.init());
    const [mine, theirs] = body.tee();
    this.web = mine;
    return new Response(theirs, this.init());
  }
}

/** The Node stream under a response made by `nodeHttpFetch`, unless its web body is in use already. */
export function nodeBodyOf(response: Response): Readable | undefined {
  return response instanceof NodeHttpResponse ? response.takeNodeBody() : undefined;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
/** Statuses whose responses have no body, as fetch's Response insists. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** The decoders of the content codings fetch decodes. */
const DECODERS = new Map<string, () => Transform>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['deflate', createInflate],
  ['br', createBrotliDecompress],
]);

function decoded(res: IncomingMessage): Readable {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = DECODERS.get(encoding)?.();
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/** A web stream over the Node body that reads nothing until it is pulled: unused, it costs nothing. */
function lazyWebBody(body: Readable, onRead: () => void): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        onRead();
        iterator ??= body[Symbol.asyncIterator]();
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.length));
      },
      cancel() {
        onRead();
        body.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export interface NodeFetchOptions {
  /** Falls back to this for what this fetch does not do (a Request object, a streamed body). */
  fallback?: Fetch;
}

/**
 * What the SDKs need of fetch, on node:http with keep-alive agents of its own: a string or byte
 * body, headers, an abort signal (before and during the body, rejecting with the signal's reason,
 * as fetch does), `redirect: 'error'` (a 3xx rejects with fetch's TypeError whose cause says
 * "unexpected redirect"), gzip/deflate/br bodies decoded, connection failures as fetch's
 * `TypeError('fetch failed')` with the socket error as its cause. Anything else (a Request
 * object, a streamed request body, redirects to follow) goes to `fallback`.
 *
 * Why not undici's fetch: the relay benchmark read the same 200 upstream event streams in one
 * process at 44-52 µs of CPU per read through fetch's body and 25-28 µs through node:http,
 * and its set-up of a request (Request, Headers, the body as a web stream) is heavier too.
 */
export function nodeHttpFetch(options: NodeFetchOptions = {}): Fetch {
  const fallback = options.fallback ?? globalThis.fetch;
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, scheduling: 'lifo' }),
    'https:': new HttpsAgent({ keepAlive: true, scheduling: 'lifo' }),
  };
  return (input, init = {}) => {
    const body = init.body;
    const simpleBody = body == null || typeof body === 'string' || body instanceof Uint8Array;
    if (input instanceof Request || !simpleBody || init.redirect !== 'error') return fallback(input, init);
    const url = input instanceof URL ? input : new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return fallback(input, init);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(abortReason(signal));

    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    if (body != null) headers['content-length'] = String(Buffer.byteLength(body));

    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, {
        method: (init.method ?? 'GET').toUpperCase(),
        headers,
        agent: agents[url.protocol as 'http:' | 'https:'],
      });
      let settled = false;
      const onAbort = () => {
        const reason = abortReason(signal as AbortSignal);
        req.destroy(reason instanceof Error ? reason : undefined);
        if (!settled) {
          settled = true;
          reject(reason);
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => signal?.removeEventListener('abort', onAbort);
      req.on('error', (err) => {
        done();
        if (settled) return;
        settled = true;
        reject(fetchFailed(err));
      });
      req.on('response', (res) => {
        if (settled) {
          res.destroy();
          return;
        }
        settled = true;
        const status = res.statusCode ?? 502;
        if (REDIRECT.has(status) && res.headers.location) {
          done();
          res.destroy();
          reject(fetchFailed(new Error('unexpected redirect')));
          return;
        }
        const responseHeaders = new Headers();
        const raw = res.rawHeaders;
        for (let i = 0; i + 1 < raw.length; i += 2)
          responseHeaders.append(raw[i] as string, raw[i + 1] as string);
        res.once('close', done);
        const nullBody = NULL_BODY.has(status) || init.method?.toUpperCase() === 'HEAD';
        if (nullBody) res.resume();
        const nodeBody = nullBody ? undefined : decoded(res);
        const response = new NodeHttpResponse(nodeBody, {
          status,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders,
        });
        resolve(response as unknown as Response);
      });
      req.end(body ?? undefined);
    });
  };
}
