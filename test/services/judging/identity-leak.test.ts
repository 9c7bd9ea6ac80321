// Identity leaks in blind answers: vendor names, catalogue names and ids, whole words only.
import { describe, expect, it } from 'vitest';
import {
  createIdentityLeakDetector,
  detectIdentityLeak,
} from '../../../src/services/judging/identity-leak.js';

describe('detectIdentityLeak', () => {
  it('finds vendor and family names in any case, and says which', () => {
    expect(detectIdentityLeak(['I am ChatGPT, made by openai.'])).toEqual({
      leaked: true,
      matches: ['ChatGPT', 'OpenAI'],
    });
    expect(detectIdentityLeak(['Nothing here.', "As an ANTHROPIC model (Claude's view)…"]).matches).toEqual([
      'Claude',
      'Anthropic',
    ]);
    expect(detectIdentityLeak(['Try GPT-4 or GPT4o, Llama 3, qwen2.5 and DeepSeek-R1']).matches).toEqual([
      'GPT',
      'Llama',
      'DeepSeek',
      'Qwen',
    ]);
  });

  it('does not fire inside other words', () => {
    for (const text of [
      'Quantise it to GPTQ or AWQ.',
      'AutoGPTs and llamas are unrelated.',
      'A Geminiano is a hypothetical.',
      'openaire is a French project.',
    ]) {
      expect(detectIdentityLeak([text]), text).toEqual({ leaked: false, matches: [] });
    }
  });

  it('finds catalogue names and ids, the last part of endpoint ids, and skips ids too short to be names', () => {
    const detect = createIdentityLeakDetector(['Claude Opus 4.6', 'ollama/llama3.2', 'o3', 'Phi Four']);
    // The longest name wins where several start at one place: the catalogue name, not just the family.
    expect(detect(['This is claude  opus 4.6 speaking']).matches).toEqual(['Claude Opus 4.6']);
    expect(detect(['I run as llama3.2 on Ollama']).matches).toEqual(['llama3.2']);
    // "llama3.2" is not inside "llama3.25"; the family name still is.
    expect(detect(['I run as llama3.25']).matches).toEqual(['Llama']);
    expect(detect(['O3 is ozone; phi four is a theory.']).matches).toEqual(['Phi Four']);
  });

  it('says nothing leaked for clean answers', () => {
    expect(detectIdentityLeak(['The capital of France is Paris.', ''])).toEqual({
      leaked: false,
      matches: [],
    });
  });
});
