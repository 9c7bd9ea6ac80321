// Error bodies of OpenAI-compatible servers that are not OpenAI-shaped, reduced to the upstream's words.
import { isRecord } from '../safe-message.js';
import type { Fetch } from '../types.js';

/** FastAPI/pydantic `detail` lists (vLLM, Mistral's 422): "body.stream_options: Extra inputs are not permitted". */
function detailText(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (!Array.isArray(detail)) return undefined;
  const parts = detail.map((d) => {
    if (!isRecord(d)) return String(d);
    const loc = Array.isArray(d.loc) ? `${d.loc.join('.')}: ` : '';
    return `${loc}${typeof d.msg === 'string' ? d.msg : JSON.stringify(d)}`;
  });
  return parts.join('; ') || undefined;
}

/**
 * The message in an error value, whatever its shape: a string (`{"error":"model not found"}` from
 * Ollama's native routes), `{ message }` (OpenAI, llama.cpp, Groq), `{ message: { detail } }` (Mistral),
 * `{ detail }` (FastAPI servers), or `[{ error: {…} }]` (Gemini's OpenAI endpoint).
 */
export function errorText(value: unknown, depth = 0): string | undefined {
  if (depth > 3 || value == null) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) return errorText(value[0], depth + 1);
  if (!isRecord(value)) return undefined;
  if (value.error !== undefined) return errorText(value.error, depth + 1);
  if (typeof value.message === 'string') return value.message;
  if (isRecord(value.message)) return detailText(value.message.detail) ?? JSON.stringify(value.message);
  return detailText(value.detail);
}

/** An HTML page (a proxy's 502): its title, else its text without tags. */
export function htmlText(html: string): string | undefined {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const heading = /<h1[^>]*>([\s\S]*?)<\/h1>/i.exec(html)?.[1];
  const text = (title || heading || html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' '))
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text ? text.slice(0, 500) : undefined;
}

/** The upstream's words from any error body's text; undefined when there are none. */
export function upstreamErrorText(body: string): string | undefined {
  const trimmed = body.trim();
  if (!trimmed) return undefined;
  if (trimmed.startsWith('<')) return htmlText(trimmed);
  try {
    return errorText(JSON.parse(trimmed));
  } catch {
    return trimmed.slice(0, 500);
  }
}

/** True for `{ "error": { "message": "..." } }`, the shape the openai SDK reads its error text from. */
function isOpenAIShaped(body: string): boolean {
  if (!body.includes('"error"')) return false;
  try {
    const json: unknown = JSON.parse(body);
    return isRecord(json) && isRecord(json.error) && typeof json.error.message === 'string';
  } catch {
    return false;
  }
}

/**
 * The SDK takes an error's text from `body.error.message` only: from an array, `{"error":"text"}`,
 * vLLM's `{"object":"error","message":…}` or an HTML page it keeps nothing useful ("400 status code
 * (no body)"). Error responses (never the stream) are rewritten into that shape so the message can
 * quote the upstream; OpenAI-shaped bodies pass as they are.
 */
export function errorBodyFetch(inner: Fetch): Fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok) return response;
    const text = await response.text();
    let body = text;
    if (!isOpenAIShaped(text)) {
      const message = upstreamErrorText(text);
      body = JSON.stringify({ error: { message: message ?? null, type: 'upstream_error' } });
    }
    const headers = new Headers(response.headers);
    // The body was read (and decoded): the old encoding and length no longer apply.
    headers.delete('content-encoding');
    headers.delete('content-length');
    headers.set('content-type', 'application/json');
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
}
