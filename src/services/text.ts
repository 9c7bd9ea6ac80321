// Text as stored and streamed: UTF-16 that is always well formed, so a stored answer equals its chunks.

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * Joins a carried high surrogate with the next delta and holds back a high surrogate that ends it,
 * so no chunk ever splits a surrogate pair (a split pair is stored as two U+FFFD: SQLite and UTF-8
 * cannot hold half a pair). Any other lone surrogate becomes U+FFFD, in the chunk and so in the store.
 */
export function wellFormedChunk(carry: string, delta: string): { chunk: string; carry: string } {
  const text = carry + delta;
  if (text.length === 0) return { chunk: '', carry: '' };
  const last = text.charCodeAt(text.length - 1);
  if (isHighSurrogate(last)) return { chunk: storable(text.slice(0, -1)), carry: text.slice(-1) };
  return { chunk: storable(text), carry: '' };
}

/**
 * Well formed, and U+0000 as U+FFFD: Postgres text cannot hold U+0000, so on every engine the
 * relayed chunk and the stored answer carry the same replacement and still join up exactly.
 */
function storable(text: string): string {
  const whole = text.toWellFormed();
  return whole.includes('\u0000') ? whole.replaceAll('\u0000', '\uFFFD') : whole;
}

/** At most `max` UTF-16 units of well-formed `text`, never ending between the two halves of a pair. */
export function headOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/** User input (prompts, system prompts): a lone surrogate or U+0000 becomes U+FFFD, as any store keeps it. */
export const wellFormed = (s: string) => storable(s);
