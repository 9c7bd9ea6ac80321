// Fields OpenAI-compatible servers add to chat chunks: reasoning deltas, Groq's usage, OpenRouter's cost.
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { CompletionUsage } from 'openai/resources/completions';

/** Usage as the servers send it: OpenAI's fields plus OpenRouter's `cost` and DeepSeek's cache counts. */
export type CompatUsage = CompletionUsage & {
  /** OpenRouter: what the request cost, in US dollars (credits). */
  cost?: number | null;
  /** DeepSeek: prompt tokens served from its context cache. */
  prompt_cache_hit_tokens?: number | null;
};

/** A chunk as an OpenAI-compatible server sends it. */
export type CompatChunk = Omit<ChatCompletionChunk, 'usage'> & {
  usage?: CompatUsage | null;
  /** Groq puts the usage of a stream here, in its last chunk, rather than in `usage`. */
  x_groq?: { usage?: CompatUsage | null } | null;
};

/** A choice's delta with the reasoning fields: `reasoning_content` (DeepSeek, older vLLM), `reasoning` (OpenRouter, newer vLLM, Ollama). */
export type CompatDelta = ChatCompletionChunk.Choice.Delta & {
  reasoning_content?: unknown;
  reasoning?: unknown;
};

/**
 * The usage a chunk carries, wherever it is. Servers that repeat it on every chunk (vLLM's
 * continuous_usage_stats) send running totals, so the caller keeps the last one and never adds.
 */
export function chunkUsage(chunk: CompatChunk): CompatUsage | null | undefined {
  return chunk.usage ?? chunk.x_groq?.usage;
}

/** The reasoning text of a delta, or undefined (an empty string or a non-string is no text). */
export function reasoningText(delta: CompatDelta): string | undefined {
  const text = delta.reasoning_content || delta.reasoning;
  return typeof text === 'string' && text ? text : undefined;
}
