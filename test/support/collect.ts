// Test helpers for provider streams: read one to the end, or to the ProviderError it throws.
import { findModel } from '../../src/providers/catalog.js';
import {
  type ChatMessage,
  type GenerateRequest,
  type ModelInfo,
  ProviderError,
  type StreamPart,
  type Usage,
} from '../../src/providers/types.js';

export function catalogModel(id: string): ModelInfo {
  const model = findModel(id);
  if (!model) throw new Error(`no model ${id} in the catalogue`);
  return model;
}

/** A request for one catalogue model; `prompt` and `system` build the messages when none are given. */
export function generateRequest(
  modelId: string,
  extra: Partial<GenerateRequest> & { prompt?: string; system?: string } = {},
): GenerateRequest {
  const { prompt = 'Say hello', system, ...rest } = extra;
  const messages: ChatMessage[] = [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    { role: 'user', content: prompt },
  ];
  return { model: catalogModel(modelId), messages, signal: new AbortController().signal, ...rest };
}

export interface Collected {
  parts: StreamPart[];
  text: string;
  usage: Usage | undefined;
  finishReason: string | undefined;
  error: ProviderError | undefined;
}

/** Reads the stream to its end; a ProviderError is returned in `error` with what came before it. */
export async function collect(stream: AsyncIterable<StreamPart>, onPart?: (part: StreamPart) => void) {
  const result: Collected = {
    parts: [],
    text: '',
    usage: undefined,
    finishReason: undefined,
    error: undefined,
  };
  try {
    for await (const part of stream) {
      result.parts.push(part);
      if (part.type === 'text') result.text += part.text;
      else if (part.type === 'finish') {
        result.usage = part.usage ?? undefined;
        result.finishReason = part.finishReason;
      }
      onPart?.(part);
    }
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    result.error = err;
  }
  return result;
}

/** The ProviderError the stream ends with; fails the test when it ends normally. */
export async function failureOf(stream: AsyncIterable<StreamPart>, onPart?: (part: StreamPart) => void) {
  const { error, text } = await collect(stream, onPart);
  if (!error) throw new Error(`expected a ProviderError, but the stream completed with "${text}"`);
  return error;
}
