// A scripted implementation of our own Provider interface, for engine tests that need no HTTP.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type GenerateRequest,
  type ModelInfo,
  type Provider,
  ProviderError,
  type StreamPart,
} from '../../src/providers/types.js';

export interface Script {
  chunks: string[];
  /** Reasoning parts sent before the answer. */
  reasoning?: string[];
  intervalMs?: number;
  /** Throw this after that many chunks. */
  failAfter?: { chunks: number; error: ProviderError };
  /** Stop sending (and never end) after that many chunks. */
  hangAfter?: number;
  /** On abort, end quietly instead of throwing, as some SDK iterators do. */
  quietOnAbort?: boolean;
  usage?: { inputTokens: number; outputTokens: number };
}

export function testModel(id: string, overrides: Partial<ModelInfo> = {}): ModelInfo {
  return {
    id,
    provider: 'demo',
    name: `Test ${id}`,
    upstreamModel: id,
    pricing: { inputPerMillion: 1, outputPerMillion: 2 },
    contextWindow: 8000,
    defaultMaxTokens: 256,
    capabilities: { temperature: true, maxTokensParam: 'max_tokens' },
    priceSource: 'test',
    priceAsOf: '2026-01-01',
    ...overrides,
  };
}

/** Scripts per model id; records what it saw so a test can check that aborts reached it. */
export function scriptedProvider(scripts: Record<string, Script>) {
  const aborted = new Set<string>();
  /** Every request the provider was asked to stream, in order. */
  const requests: GenerateRequest[] = [];
  const provider: Provider = {
    id: 'demo',
    async *stream(req): AsyncIterable<StreamPart> {
      requests.push(req);
      const script = scripts[req.model.id];
      if (!script) throw new ProviderError('bad_request', `no script for ${req.model.id}`, 'demo');
      req.signal.addEventListener('abort', () => aborted.add(req.model.id), { once: true });
      const wait = async (ms: number) => {
        try {
          await sleep(ms, undefined, { signal: req.signal });
          return true;
        } catch {
          if (script.quietOnAbort) return false;
          throw new ProviderError('cancelled', 'Request was aborted', 'demo');
        }
      };
      for (const text of script.reasoning ?? []) {
        if (!(await wait(script.intervalMs ?? 2))) return;
        yield { type: 'reasoning', text };
      }
      for (const [i, chunk] of script.chunks.entries()) {
        if (script.failAfter && i === script.failAfter.chunks) throw script.failAfter.error;
        if (script.hangAfter !== undefined && i === script.hangAfter) {
          if (!(await wait(3_600_000))) return;
        }
        if (!(await wait(script.intervalMs ?? 2))) return;
        yield { type: 'text', text: chunk };
      }
      if (script.failAfter && script.failAfter.chunks >= script.chunks.length) throw script.failAfter.error;
      yield {
        type: 'finish',
        finishReason: 'stop',
        usage: script.usage ?? { inputTokens: 10, outputTokens: script.chunks.length },
      };
    },
  };
  return { provider, aborted, requests };
}
