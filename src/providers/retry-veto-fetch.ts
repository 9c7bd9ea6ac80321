// A fetch for the SDK clients that vetoes their automatic retry when waiting cannot help.
import type { Fetch } from './types.js';

export interface RetryVetoOptions {
  /** True when a 429 body says the quota or spend limit is used up. */
  isQuotaBody: (body: unknown) => boolean;
  /** A retry-after longer than this is not waited for (we would hit the idle timeout first). */
  maxRetryAfterMs: number;
  inner?: Fetch;
}

const RETRYABLE = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * Both SDKs retry 408/409/429/5xx (529 included) before the stream's first byte, honouring retry-after,
 * which is what we want for a passing rate limit or overload. Two cases only waste the user's time:
 * a 429 for an exhausted quota or spend limit (it will fail again), and a retry-after longer than we
 * would wait anyway. Both SDKs obey an `x-should-retry: false` response header, so this wrapper adds it
 * in those cases and leaves the rest of the SDK's policy (back-off, retry-after, retry count) untouched.
 * That is smaller and safer than `maxRetries: 0` plus a retry loop of our own.
 */
export function retryVetoFetch(options: RetryVetoOptions): Fetch {
  const inner = options.inner ?? globalThis.fetch;
  return async (input, init) => {
    const response = await inner(input, init);
    if (!RETRYABLE(response.status)) return response;
    const wait = retryAfterMs(response.headers);
    if (wait !== undefined && wait > options.maxRetryAfterMs) return vetoed(response, await response.text());
    if (response.status !== 429) return response;
    const text = await response.text();
    if (options.isQuotaBody(parseJson(text))) return vetoed(response, text);
    return rebuilt(response, text, new Headers(response.headers));
  };
}

function vetoed(response: Response, text: string): Response {
  const headers = new Headers(response.headers);
  headers.set('x-should-retry', 'false');
  return rebuilt(response, text, headers);
}

/** The body was read (and decoded): rebuild the response without the stale encoding headers. */
function rebuilt(response: Response, text: string, headers: Headers): Response {
  headers.delete('content-encoding');
  headers.delete('content-length');
  return new Response(text, { status: response.status, statusText: response.statusText, headers });
}

/** The wait the server asks for, as the SDKs read it: retry-after-ms, else retry-after (seconds or a date). */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (!Number.isNaN(ms)) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The same wait in whole seconds, for a ProviderError. */
export function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  const ms = retryAfterMs(headers);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
