// Servers that refuse `stream_options` (Mistral's 422, older Groq, strict proxies): recognise the refusal.
import { APIError } from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';

/**
 * True when a 400/422 names `stream_options` (or its `include_usage`): the request is then retried
 * once without it. Only a refusal that names the parameter counts, so a request that is bad for
 * another reason is never sent twice.
 */
export function isStreamOptionsRejection(err: unknown): boolean {
  if (!(err instanceof APIError) || (err.status !== 400 && err.status !== 422)) return false;
  if (err.param === 'stream_options') return true;
  const text = `${err.message} ${typeof err.error === 'string' ? err.error : JSON.stringify(err.error ?? '')}`;
  return /stream_options|include_usage/i.test(text);
}

/** The same request without stream_options: the server then sends usage where it always does, or none. */
export function withoutStreamOptions(params: ChatCompletionCreateParamsStreaming) {
  const { stream_options: _dropped, ...rest } = params;
  return rest;
}
