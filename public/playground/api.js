// The page's API client (bearer token on every call, error envelopes as messages) and its local storage.
import { errorMessage } from './format.js';

export const storage = {
  /** @param {string} key */
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  /** @param {string} key @param {string | null} value */
  set(key, value) {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch {
      // Storage may be disabled (private windows); the page works without it.
    }
  },
};

/**
 * @param {() => string} getToken
 * @returns {(path: string, options?: { method?: string, body?: unknown }) => Promise<{ data: any, response: Response }>}
 */
export function createApi(getToken) {
  // Same-origin paths only: the page talks to the server that served it (CSP connect-src 'self').
  return async (path, { method = 'GET', body } = {}) => {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok)
      throw Object.assign(new Error(errorMessage(response.status, data)), { status: response.status });
    return { data, response };
  };
}

/**
 * Downloads a file the API serves behind the bearer token: fetched, then saved through a Blob URL.
 * @param {() => string} getToken
 * @param {string} path
 * @param {(disposition: string | null) => string} nameFor
 */
export async function download(getToken, path, nameFor) {
  const token = getToken();
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    throw Object.assign(new Error(errorMessage(response.status, data)), { status: response.status });
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = nameFor(response.headers.get('content-disposition'));
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked a little later: some browsers start reading the Blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The dev token the server offers a browser on its own machine in development, else null. */
export async function fetchDevToken() {
  try {
    const response = await fetch('/playground/config.json');
    if (!response.ok) return null;
    const config = await response.json();
    return typeof config?.devToken === 'string' ? config.devToken : null;
  } catch {
    return null;
  }
}
