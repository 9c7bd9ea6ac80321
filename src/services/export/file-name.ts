// A download's file name from the prompt, and the Content-Disposition header that carries it (RFC 6266).
import type { SessionView } from './session-view.js';

const MAX_STEM = 48;

/** Letters and digits kept, every other run of characters one dash, at most MAX_STEM characters. */
function stem(prompt: string, keep: RegExp): string {
  const words = prompt
    .normalize('NFKC')
    .toLowerCase()
    .replace(keep, '-')
    .replace(/^-+|-+$/g, '');
  // By code points, so a cut never splits a surrogate pair.
  return Array.from(words).slice(0, MAX_STEM).join('').replace(/-+$/, '');
}

/**
 * `<prompt words>-<date>-<short id>.<ext>`: the id keeps two sessions with the same prompt and day
 * apart. `ascii` is the fallback for old clients; `unicode` keeps the prompt's own letters.
 */
export function exportFileName(session: Pick<SessionView, 'id' | 'prompt' | 'createdAt'>, ext: string) {
  const date = /^\d{4}-\d{2}-\d{2}/.exec(session.createdAt)?.[0] ?? 'undated';
  const suffix = `${date}-${session.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}.${ext}`;
  // Accents folded first, so "café" still gives "cafe" in the ASCII name.
  const folded = session.prompt.normalize('NFKD').replace(/\p{M}+/gu, '');
  const ascii = stem(folded, /[^a-z0-9]+/g) || 'comparison';
  const unicode = stem(session.prompt, /[^\p{L}\p{N}]+/gu) || 'comparison';
  return { ascii: `${ascii}-${suffix}`, unicode: `${unicode}-${suffix}` };
}

/** RFC 5987's attr-char: encodeURIComponent leaves ' ( ) * unescaped, which it does not allow. */
const encodeRfc5987 = (value: string) =>
  encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function attachmentHeader(name: { ascii: string; unicode: string }): string {
  return `attachment; filename="${name.ascii}"; filename*=UTF-8''${encodeRfc5987(name.unicode)}`;
}
