// The fetch under the SDKs: no copy of each request for redirects, and event streams in small pieces.
import { type Fetch, ProviderError } from './types.js';

/**
 * Node's fetch tees every request body (a copy as web streams) in case it must follow a redirect,
 * unless redirects are errors: that copy was a third of the CPU of an upstream request here. The
 * providers' APIs never redirect; a base URL that does (http to https, a moved proxy) gets a clear,
 * unretried 421 naming the fix instead of a "connection failed" after the SDK's retries.
 */
export function noRedirectFetch(inner: Fetch): Fetch {
  return async (input, init) => {
    try {
      // `window: null` with `redirect: 'error'` is what lets undici skip the copy.
      return await inner(input, { ...init, redirect: 'error', window: null });
    } catch (err) {
      if (!isRedirectFailure(err)) throw err;
      const url = new URL(input instanceof Request ? input.url : input);
      const message = `${url.origin} answered with a redirect; set the provider's base URL to the address it redirects to`;
      return new Response(JSON.stringify({ error: { message, type: 'redirect' } }), {
        status: 421,
        headers: { 'content-type': 'application/json', 'x-should-retry': 'false' },
      });
    }
  };
}

const isRedirectFailure = (err: unknown) =>
  err instanceof TypeError && err.cause instanceof Error && err.cause.message === 'unexpected redirect';

/** Pieces of about this size: a few events each, small enough that the SDK's re-copying stays cheap. */
export const EVENT_STREAM_PIECE_BYTES = 2048;

const NEWLINE = 0x0a;

/**
 * openai 6.x (through 6.49) splits a streamed body into events by copying the whole unread rest of
 * a read after every event (`data = data.slice(patternIndex)` in `iterSSEChunks`), so one read of
 * n bytes holding k events copies about k * n / 2 bytes. A socket read under load is up to 64 KiB
 * with hundreds of events: the benchmark found that copying at 15% of the server's CPU. openai 7
 * fixed it, but we stay on 6.x. Cutting each read into pieces of ~2 KiB at line ends bounds the
 * copying per byte; the SDK already carries an unfinished event over from one read to the next, so
 * where a piece ends changes nothing it yields. Other responses pass through untouched.
 */
export function splitEventStreamFetch(
  inner: Fetch,
  pieceBytes = EVENT_STREAM_PIECE_BYTES,
  limit?: EventSizeLimit,
): Fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || !response.body || !type.includes('text/event-stream')) return response;
    return new Response(splitBody(response.body, pieceBytes, limit), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * The longest line (so the longest event) of an event stream we read: the SDKs' line decoders keep
 * an unfinished line in a buffer they scan again on every read, so one huge event would cost time
 * quadratic in its size and hold the event loop for minutes. Beyond this the stream fails at once.
 */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export interface EventSizeLimit {
  maxBytes: number;
  /** The error the stream fails with (a ProviderError naming the endpoint). */
  tooLarge: () => Error;
}

/** The limit of one endpoint's events, failing with a message that names it. */
export const eventLimit = (endpoint: { id: string; name: string }): EventSizeLimit => ({
  maxBytes: MAX_EVENT_BYTES,
  tooLarge: () =>
    new ProviderError(
      'too_large',
      `${endpoint.name} sent one event larger than ${MAX_EVENT_BYTES / 1024 / 1024} MiB; the answer was stopped`,
      endpoint.id,
    ),
});

/** The same bytes, in the same order, with every read longer than `pieceBytes` cut into pieces. */
export function splitBody(
  body: ReadableStream<Uint8Array>,
  pieceBytes: number,
  limit?: EventSizeLimit,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // Bytes since the last newline, across reads: one line longer than the limit ends the stream.
  let open = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let read: Awaited<ReturnType<typeof reader.read>>;
        try {
          read = await reader.read();
        } catch (err) {
          // The same error object (an AbortError when the request is aborted), so the SDK sees what it would have.
          controller.error(err);
          return;
        }
        if (read.done) {
          controller.close();
          return;
        }
        if (limit) {
          const last = read.value.lastIndexOf(NEWLINE);
          open = last === -1 ? open + read.value.length : read.value.length - last - 1;
          if (open > limit.maxBytes) {
            void reader.cancel().catch(() => {});
            controller.error(limit.tooLarge());
            return;
          }
        }
        // Paced streams read one event at a time: those pass as they are, without a generator per read.
        if (read.value.length <= pieceBytes) controller.enqueue(read.value);
        else for (const piece of pieces(read.value, pieceBytes)) controller.enqueue(piece);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Read upstream only when the SDK asks: backpressure stays where it was.
    { highWaterMark: 0 },
  );
}

/** Views (not copies) of `chunk`, each at most `max` bytes and ending after a newline where one exists. */
export function* pieces(chunk: Uint8Array, max: number): Generator<Uint8Array> {
  let start = 0;
  while (chunk.length - start > max) {
    const lastNewline = chunk.subarray(start, start + max).lastIndexOf(NEWLINE);
    // A line longer than a piece goes on whole to its end: cutting it would only make the SDK
    // rescan its growing buffer once per piece.
    const next = lastNewline === -1 ? chunk.indexOf(NEWLINE, start + max) : -1;
    const end = lastNewline !== -1 ? start + lastNewline + 1 : next === -1 ? chunk.length : next + 1;
    yield chunk.subarray(start, end);
    start = end;
  }
  if (start < chunk.length) yield chunk.subarray(start);
}
