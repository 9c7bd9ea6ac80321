// The stream a benchmark request asks the provider server for, carried in the prompt, and send-time stamps.
import { performance } from 'node:perf_hooks';

export interface StreamSpec {
  deltas: number;
  intervalMs: number;
  firstDelayMs: number;
  /** The first delta waits for the benchmark's `release` (after every stream of a block is open). */
  gated?: boolean;
  /** A random extra first delay in [0, jitterMs), so that streams do not deliver in lockstep. */
  jitterMs?: number;
  /** Each delta carries its send time and its request's arrival: `w<i>@<o|a><sent ms>^<arrived ms> `. */
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
      gated: spec.gated === true,
      jitterMs: Number(spec.jitterMs ?? 0),
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

export const stampText = (index: number, wire: WireLetter, requestArrivedAt: number): string =>
  `w${index}@${wire}${now().toFixed(3)}^${requestArrivedAt.toFixed(3)} `;

export interface Stamp {
  wire: WireLetter;
  /** When the provider server wrote the delta. */
  sentAt: number;
  /** When the provider server received the request the delta answers. */
  requestArrivedAt: number;
}

/** The stamp in an SSE frame's delta text, if any. */
export function stampOf(frame: string): Stamp | undefined {
  const at = frame.indexOf('@');
  if (at < 0) return undefined;
  const wire = frame[at + 1];
  if (wire !== 'o' && wire !== 'a') return undefined;
  const caret = frame.indexOf('^', at);
  if (caret < 0) return undefined;
  const sentAt = Number.parseFloat(frame.slice(at + 2, caret));
  const requestArrivedAt = Number.parseFloat(frame.slice(caret + 1, caret + 24));
  return Number.isFinite(sentAt) && Number.isFinite(requestArrivedAt)
    ? { wire, sentAt, requestArrivedAt }
    : undefined;
}
