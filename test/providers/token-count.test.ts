// Local token counts: o200k_base, special-token text as plain text, and the cookbook's chat overhead.
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import {
  loadTokenCounter,
  REPLY_PRIMING_TOKENS,
  TOKENS_PER_MESSAGE,
  tokenCountMethod,
} from '../../src/providers/token-count.js';
import { catalogModel } from '../support/collect.js';

const plain = { disallowedSpecial: new Set<string>() };

describe('token counts', () => {
  it('counts a text with o200k_base', async () => {
    const counter = await loadTokenCounter();
    expect(counter.countTextTokens('hello world')).toBe(2);
    expect(counter.countTextTokens('')).toBe(0);
  });

  it('counts special-token text such as <|endoftext|> as plain text instead of throwing', async () => {
    const counter = await loadTokenCounter();
    const text = 'before <|endoftext|> and <|im_start|>user after';
    expect(() => encode(text)).toThrow(/special token/);
    expect(counter.countTextTokens(text)).toBe(encode(text, plain).length);
    expect(counter.countTextTokens('<|endoftext|>')).toBeGreaterThan(1);
  });

  it('counts messages as role + content + 3 each, plus 3 for the reply priming (OpenAI cookbook)', async () => {
    expect([TOKENS_PER_MESSAGE, REPLY_PRIMING_TOKENS]).toEqual([3, 3]);
    const counter = await loadTokenCounter();
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Name three primes.' },
    ];
    const expected =
      messages.reduce((n, m) => n + 3 + encode(m.role).length + encode(m.content).length, 0) + 3;
    expect(counter.countMessageTokens(messages)).toBe(expected);
    expect(counter.countMessageTokens([])).toBe(3);
  });

  it("labels o200k counts as the model's own tokenizer only for OpenAI's o200k models", () => {
    expect(tokenCountMethod(catalogModel('gpt-4o'))).toBe('tokenizer');
    expect(tokenCountMethod(catalogModel('gpt-5'))).toBe('tokenizer');
    expect(tokenCountMethod(catalogModel('o3'))).toBe('tokenizer');
    // gpt-4 and gpt-3.5-turbo use cl100k_base; Anthropic's tokenizer is not public.
    expect(tokenCountMethod(catalogModel('gpt-4'))).toBe('estimate');
    expect(tokenCountMethod(catalogModel('claude-haiku-4-5'))).toBe('estimate');
    expect(tokenCountMethod(catalogModel('demo-fast'))).toBe('estimate');
  });
});

describe('long texts', () => {
  it('counts an ordinary long text in segments exactly as the tokenizer counts it whole', async () => {
    const counter = await loadTokenCounter();
    const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dogs', 'again,', 'and\n'];
    const text = Array.from({ length: 3000 }, (_, i) => words[i % words.length]).join(' ');
    expect(text.length).toBeGreaterThan(10_000);
    expect(counter.countTextTokens(text)).toBe(encode(text).length);
  });

  it('counts a million characters with no space at all (it used to hold the event loop for minutes)', async () => {
    const counter = await loadTokenCounter();
    const n = counter.countTextTokens('y'.repeat(1_000_000));
    expect(n).toBeGreaterThan(1_000_000 / 16);
    expect(n).toBeLessThanOrEqual(1_000_000);
  });
});
