// Local token counts with the o200k_base tokenizer: a prompt before it is sent, a stream's text after.
import { DEFAULT_ENCODING, modelToEncodingMap } from 'gpt-tokenizer/mapping';
import type { ChatMessage, ModelInfo } from './types.js';

/**
 * The chat template's tokens, as OpenAI's cookbook "How to count tokens with tiktoken" documents them
 * (github.com/openai/openai-cookbook, examples/How_to_count_tokens_with_tiktoken.ipynb): each message
 * costs 3 tokens besides its role and content (`<|start|>`, the separator, `<|end|>`), and every
 * reply is primed with `<|start|>assistant<|message|>`, 3 more.
 */
export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

/**
 * `tokenizer`: counted with the model's own tokenizer (OpenAI models on o200k_base); `estimate`:
 * another tokenizer's count used as an approximation (Anthropic's tokenizer is not public, older
 * OpenAI models use cl100k_base, and an operator's endpoint may run anything).
 */
export type TokenCountMethod = 'tokenizer' | 'estimate';

export interface TokenCounter {
  /** Tokens of a plain text (a stream that reported no usage); special tokens count as text. */
  countTextTokens(text: string): number;
  /** Tokens of a chat prompt: every role and content, plus the template overhead documented above. */
  countMessageTokens(messages: readonly ChatMessage[]): number;
}

/**
 * Text such as `<|endoftext|>` in a user's prompt is text to the API, not a control token: an empty
 * `disallowedSpecial` makes the tokenizer encode it as ordinary characters instead of throwing.
 */
const asPlainText = { disallowedSpecial: new Set<string>() };

/**
 * BPE merges within one pre-token cost time quadratic in its length: a million characters with no
 * space (a runaway answer, a pasted blob) held the event loop for minutes. Long texts are counted in
 * segments of at most this many characters, cut before a whitespace where there is one (pre-tokens
 * start with their space), so ordinary text counts as it would whole and a blob stays linear.
 */
export const SEGMENT_CHARS = 2000;

function* segments(text: string): Generator<string> {
  let at = 0;
  while (text.length - at > SEGMENT_CHARS) {
    const window = text.slice(at, at + SEGMENT_CHARS);
    const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\n'));
    const end = space > 0 ? at + space : at + SEGMENT_CHARS;
    yield text.slice(at, end);
    at = end;
  }
  if (at < text.length) yield text.slice(at);
}

/**
 * Loads o200k_base alone (not the package's main entry, which pulls in more) on first use, so the
 * app's start-up does not pay for its merge table; Node caches the module after the first call.
 */
export async function loadTokenCounter(): Promise<TokenCounter> {
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  const countTextTokens = (text: string) => {
    if (text.length <= SEGMENT_CHARS) return text.length === 0 ? 0 : countTokens(text, asPlainText);
    let tokens = 0;
    for (const segment of segments(text)) tokens += countTokens(segment, asPlainText);
    return tokens;
  };
  return {
    countTextTokens,
    countMessageTokens(messages) {
      let tokens = REPLY_PRIMING_TOKENS;
      for (const m of messages)
        tokens += TOKENS_PER_MESSAGE + countTextTokens(m.role) + countTextTokens(m.content);
      return tokens;
    },
  };
}

/** Whether o200k_base is this model's own tokenizer, or only an estimate of it. */
export function tokenCountMethod(model: Pick<ModelInfo, 'provider' | 'upstreamModel'>): TokenCountMethod {
  if (model.provider !== 'openai') return 'estimate';
  const encoding: string =
    (modelToEncodingMap as Record<string, string | undefined>)[model.upstreamModel] ?? DEFAULT_ENCODING;
  return encoding === 'o200k_base' ? 'tokenizer' : 'estimate';
}
