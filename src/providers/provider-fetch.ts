// The fetch under the SDKs: no copy of each request for redirects, and event streams in small pieces.
import { type EventSizeLimit, eventPieces } from './event-pieces.js';
import { type Fetch, ProviderError } from './types.js';

export type { EventSizeLimit };

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

/**
 * openai 6.x (through 6.49) splits a streamed body into events by copying the whole unread rest of
 * a read after every event (`data = data.slice(patternIndex)` in `iterSSEChunks`), so one read of
 * n bytes holding k events copies about k * n / 2 bytes. A socket read under load is up to 64 KiB
 * with hundreds of events: the benchmark found that copying at 15% of the server's CPU. openai 7
 * fixed it, but we stay on 6.x. Cutting each read into pieces of ~2 KiB of whole events bounds the
 * copying per byte, and holding an unfinished event until it ends keeps the SDK from re-copying it
 * per read (event-pieces.ts); the SDK yields the same events either way. Other responses pass
 * through untouched.
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
    return new Response(eventPieces(response.body, pieceBytes, limit), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * The longest event of an event stream we read (all its lines, up to the blank line that ends it):
 * beyond this the model's stream fails at once with a `too_large` ProviderError. Held whole until it
 * ends (see event-pieces.ts), then decoded and parsed once by the SDK: 8 MiB bounds that memory and
 * time, and no real answer's delta comes near it.
 */
export const MAX_EVENT_BYTES = 8 * 1024 * 1024;

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
