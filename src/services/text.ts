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
  if (isHighSurrogate(last)) return { chunk: text.slice(0, -1).toWellFormed(), carry: text.slice(-1) };
  return { chunk: text.toWellFormed(), carry: '' };
}

/** At most `max` UTF-16 units of well-formed `text`, never ending between the two halves of a pair. */
export function headOf(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/** User input (prompts, system prompts): a lone surrogate becomes U+FFFD, as the store would keep it. */
export const wellFormed = (s: string) => s.toWellFormed();
