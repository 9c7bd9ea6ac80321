// A fetch for the SDK clients that vetoes their automatic retry of a 429 meaning "quota used up".
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Both SDKs retry every 429 (honouring retry-after) before the stream's first byte, which is what we
 * want for a plain rate limit. A 429 for an exhausted quota or spend limit will fail again, so retrying
 * only delays the answer. Both SDKs obey an `x-should-retry: false` response header, so this wrapper
 * adds it to such responses and leaves the rest of the SDK's retry policy (back-off, retry-after,
 * 5xx and 529) untouched. That is smaller and safer than `maxRetries: 0` plus a retry loop of our own.
 */
export function quotaAwareFetch(
  isQuotaBody: (body: unknown) => boolean,
  inner: Fetch = globalThis.fetch,
): Fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 429) return response;
    const text = await response.text();
    const headers = new Headers(response.headers);
    if (isQuotaBody(parseJson(text))) headers.set('x-should-retry', 'false');
    // The body was read (and decoded): rebuild the response without the stale encoding headers.
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(text, { status: response.status, statusText: response.statusText, headers });
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
