// The stream a benchmark request asks the provider server for, carried in the prompt, and send-time stamps.
import { performance } from 'node:perf_hooks';

export interface StreamSpec {
  deltas: number;
  intervalMs: number;
  firstDelayMs: number;
  /** Each delta carries its send time: `w<i>@<o|a><ms since the epoch> `. */
  stamp: boolean;
}

const PREFIX = 'bench-stream ';

/** High-resolution wall-clock milliseconds, comparable across the benchmark's processes. */
export const now = (): number => performance.timeOrigin + performance.now();

export const encodeSpec = (spec: StreamSpec): string => `${PREFIX}${JSON.stringify(spec)}`;

export function decodeSpec(prompt: string): StreamSpec | undefined {
  if (!prompt.startsWith(PREFIX)) return undefined;
  try {
    const spec = JSON.parse(prompt.slice(PREFIX.length)) as Partial<StreamSpec>;
    return {
      deltas: Number(spec.deltas ?? 10),
      intervalMs: Number(spec.intervalMs ?? 0),
      firstDelayMs: Number(spec.firstDelayMs ?? 0),
      stamp: spec.stamp === true,
    };
  } catch {
    return undefined;
  }
}

/** The user's text from an OpenAI chat or Anthropic messages request body. */
export function promptOf(body: Record<string, unknown>): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const last: unknown = messages.at(-1);
  if (typeof last !== 'object' || last === null) return '';
  const content = (last as { content?: unknown }).content;
  return typeof content === 'string' ? content : '';
}

/** `o` for the OpenAI wire, `a` for Anthropic: the stamp says which model a delta belongs to. */
export type WireLetter = 'o' | 'a';

export const stampText = (index: number, wire: WireLetter): string => `w${index}@${wire}${now().toFixed(3)} `;

/** The wire and send time stamped into the first delta text of an SSE frame, if any. */
export function stampOf(frame: string): { wire: WireLetter; sentAt: number } | undefined {
  const at = frame.indexOf('@');
  if (at < 0) return undefined;
  const wire = frame[at + 1];
  if (wire !== 'o' && wire !== 'a') return undefined;
  const sentAt = Number.parseFloat(frame.slice(at + 2, at + 24));
  return Number.isFinite(sentAt) ? { wire, sentAt } : undefined;
}
