// Whether blind answers name a model or a vendor ("As ChatGPT…", "I was made by Anthropic"): a leaked vote.

/**
 * Vendor and family names that answers use about themselves. Matched as whole words, any case: a
 * false alarm only keeps one vote out of the blind leaderboard, a miss lets a named answer be judged
 * blind, so ordinary words that are also names ("llama" the animal, "mistral" the wind, "Gemini" the
 * sign, "Claude" the first name) are flagged too.
 */
export const VENDOR_TERMS: readonly string[] = Object.freeze([
  'ChatGPT',
  'GPT',
  'OpenAI',
  'Claude',
  'Anthropic',
  'Gemini',
  'Llama',
  'Mistral',
  'DeepSeek',
  'Qwen',
]);

/** Terms shorter than this are left out: a model id such as "o3" is also ozone, a year, a grid cell. */
export const MIN_TERM_LENGTH = 3;

export interface IdentityLeak {
  readonly leaked: boolean;
  /** The terms found, in the spelling they were given, each once, in the order of the term list. */
  readonly matches: string[];
}

export type IdentityLeakDetector = (answers: readonly string[]) => IdentityLeak;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One regular expression for the vendor terms plus `names` (catalogue display names and model ids;
 * for an id like `ollama/llama3.2` its last part `llama3.2` too, the name a model would say). Build it
 * once per catalogue and call it per vote. A match must start after a non-letter, non-digit and end
 * before a non-letter ("GPT-4", "GPT4", "OpenAI's" match; "GPTQ" and "AutoGPT" do not); a term ending in a digit must also end before a non-digit, so "gpt-5" is not found in "gpt-50".
 */
export function createIdentityLeakDetector(names: Iterable<string> = []): IdentityLeakDetector {
  const canonical = new Map<string, string>();
  const add = (term: string) => {
    const trimmed = term.trim();
    if (trimmed.length < MIN_TERM_LENGTH) return;
    const key = trimmed.toLowerCase().replace(/\s+/g, ' ');
    if (!canonical.has(key)) canonical.set(key, trimmed);
  };
  for (const term of VENDOR_TERMS) add(term);
  for (const name of names) {
    add(name);
    const slash = name.lastIndexOf('/');
    if (slash >= 0) add(name.slice(slash + 1));
  }
  const order = [...canonical.values()];
  // Longest first, so "Claude Opus 4.6" is reported rather than only "Claude" where both start.
  const alternatives = [...order]
    .sort((x, y) => y.length - x.length || (x < y ? -1 : 1))
    .map((term) => {
      const body = escapeRegExp(term).replace(/\s+/g, '\\s+');
      return /\p{N}$/u.test(term) ? `${body}(?![\\p{L}\\p{N}])` : `${body}(?!\\p{L})`;
    });
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})`, 'giu');
  return (answers) => {
    const found = new Set<string>();
    for (const answer of answers) {
      for (const match of answer.matchAll(pattern)) {
        const term = canonical.get(match[0].toLowerCase().replace(/\s+/g, ' '));
        if (term) found.add(term);
      }
    }
    const matches = order.filter((term) => found.has(term));
    return { leaked: matches.length > 0, matches };
  };
}

/** One-off check; for many votes build the detector once with createIdentityLeakDetector. */
export function detectIdentityLeak(answers: readonly string[], names: Iterable<string> = []): IdentityLeak {
  return createIdentityLeakDetector(names)(answers);
}
