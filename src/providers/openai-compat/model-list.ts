// GET {baseURL}/models answers of OpenAI-compatible servers, reduced to the models we can offer.
import { isRecord } from '../safe-message.js';
import type { Pricing } from '../types.js';

export interface ListedModel {
  /** The upstream model name, as the server lists it (slashes, colons and spaces are kept). */
  id: string;
  name?: string;
  contextWindow?: number;
  /** OpenRouter lists prices; other servers do not. */
  pricing?: Pricing;
}

/** Longer ids are not model names anyone can pick; the same bound as the models file's. */
export const MAX_MODEL_ID_CHARS = 500;
/** A bound on memory for a server that lists absurdly many models. */
export const MAX_LISTED_MODELS = 50_000;

const positiveInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/** OpenRouter: US dollars per token, as strings; "-1" (a router's variable price) means unknown. */
function perTokenToPerMillion(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(n) || n < 0) return undefined;
  // Rounded to a millionth of a dollar so 0.0000003 * 1e6 reads 0.3, not 0.30000000000000004.
  return Math.round(n * 1e12) / 1e6;
}

function listedPricing(pricing: unknown): Pricing | undefined {
  if (!isRecord(pricing)) return undefined;
  const input = perTokenToPerMillion(pricing.prompt);
  const output = perTokenToPerMillion(pricing.completion);
  if (input === undefined || output === undefined) return undefined;
  const cached = perTokenToPerMillion(pricing.input_cache_read);
  return {
    inputPerMillion: input,
    outputPerMillion: output,
    ...(cached === undefined ? {} : { cachedInputPerMillion: cached }),
  };
}

/**
 * `{ data: [{ id }] }` from OpenAI, Ollama, vLLM (`max_model_len`), LM Studio, llama.cpp, Groq
 * (`context_window`), Gemini; OpenRouter adds `name`, `context_length` and `pricing`; Together
 * answers with a bare array. Entries without a usable id are skipped, duplicates kept once.
 * Returns undefined when the body is no model list at all.
 */
export function parseModelList(body: unknown): ListedModel[] | undefined {
  const entries = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.data)
      ? body.data
      : undefined;
  if (!entries) return undefined;
  const seen = new Set<string>();
  const models: ListedModel[] = [];
  for (const entry of entries) {
    if (models.length >= MAX_LISTED_MODELS) break;
    if (!isRecord(entry) || typeof entry.id !== 'string') continue;
    const id = entry.id.trim();
    if (!id || id.length > MAX_MODEL_ID_CHARS || seen.has(id)) continue;
    seen.add(id);
    const name =
      typeof entry.name === 'string' && entry.name.trim() ? entry.name.trim().slice(0, 200) : undefined;
    const contextWindow =
      positiveInt(entry.context_length) ??
      positiveInt(entry.context_window) ??
      positiveInt(entry.max_model_len);
    const pricing = listedPricing(entry.pricing);
    models.push({
      id,
      ...(name ? { name } : {}),
      ...(contextWindow ? { contextWindow } : {}),
      ...(pricing ? { pricing } : {}),
    });
  }
  return models;
}
