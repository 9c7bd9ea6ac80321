// The pure quirk functions, each on a recorded fixture: error text, chunk fields, stream_options refusals, model lists.
import { BadRequestError, UnprocessableEntityError } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  type CompatChunk,
  chunkUsage,
  reasoningText,
} from '../../../src/providers/openai-compat/chunk-fields.js';
import { errorText, htmlText, upstreamErrorText } from '../../../src/providers/openai-compat/error-body.js';
import { parseModelList } from '../../../src/providers/openai-compat/model-list.js';
import { isStreamOptionsRejection } from '../../../src/providers/openai-compat/stream-options.js';
import * as fx from '../../support/compat-fixtures.js';

/** The JSON chunks of a recorded stream, comments and [DONE] left out. */
const chunksOf = (frames: readonly string[]): CompatChunk[] =>
  frames.filter((f) => f.startsWith('data: {')).map((f) => JSON.parse(f.slice(6)));

describe('upstreamErrorText', () => {
  it('reads the words of every recorded error body', () => {
    expect(upstreamErrorText(fx.errorBodies.ollamaPlain.body)).toBe(
      'model "llama9" not found, try pulling it first',
    );
    expect(upstreamErrorText(fx.errorBodies.geminiArray.body)).toBe(
      'API key not valid. Please pass a valid API key.',
    );
    expect(upstreamErrorText(fx.errorBodies.vllmObject.body)).toBe('The model `llama9` does not exist.');
    expect(upstreamErrorText(fx.errorBodies.nginxHtml.body)).toBe('502 Bad Gateway');
    expect(upstreamErrorText(fx.mistralStreamOptions422)).toBe(
      'body.stream_options: Extra inputs are not permitted',
    );
    expect(upstreamErrorText('{"detail":"Not Found"}')).toBe('Not Found');
    expect(upstreamErrorText('')).toBeUndefined();
    expect(upstreamErrorText('upstream connect error')).toBe('upstream connect error');
  });

  it('takes an HTML page’s heading when it has no title, and never more than 500 characters', () => {
    expect(htmlText('<body><h1>Service <b>Unavailable</b></h1></body>')).toBe('Service Unavailable');
    expect(htmlText(`<p>${'x'.repeat(2000)}</p>`)?.length).toBe(500);
  });

  it('errorText gives up on deep nesting instead of recursing forever', () => {
    expect(errorText({ error: { error: { error: { error: { error: 'deep' } } } } })).toBeUndefined();
  });
});

describe('chunk fields', () => {
  it('finds usage in usage, in x_groq.usage, or nowhere', () => {
    expect(chunksOf(fx.groqXGroqUsage).map(chunkUsage).filter(Boolean)).toEqual([
      expect.objectContaining({ prompt_tokens: 38, completion_tokens: 2 }),
    ]);
    expect(chunksOf(fx.ollamaReasoningNoUsage).map(chunkUsage).filter(Boolean)).toEqual([]);
    // vLLM repeats running totals: the last is the whole answer.
    expect(chunksOf(fx.vllmContinuousUsage).map((c) => chunkUsage(c)?.completion_tokens)).toEqual([
      0, 1, 2, 3, 4, 4,
    ]);
  });

  it('reads reasoning from reasoning_content or reasoning, and never an empty or non-string value', () => {
    const deltas = (frames: readonly string[]) =>
      chunksOf(frames).flatMap((c) => c.choices.map((choice) => reasoningText(choice.delta)));
    expect(deltas(fx.deepseekReasoningContent)).toEqual([undefined, 'Two plus two.', undefined, undefined]);
    expect(deltas(fx.openrouterReasoningCost).filter(Boolean)).toEqual(['Considering.']);
    expect(reasoningText({ reasoning: { text: 'structured' } })).toBeUndefined();
  });
});

describe('isStreamOptionsRejection', () => {
  const headers = new Headers();
  it('recognises Mistral’s 422 and Groq’s 400 naming stream_options, nothing else', () => {
    const mistral = new UnprocessableEntityError(
      422,
      { message: upstreamErrorText(fx.mistralStreamOptions422) },
      undefined,
      headers,
    );
    const groq = new BadRequestError(400, JSON.parse(fx.groqStreamOptions400).error, undefined, headers);
    const other = new BadRequestError(400, { message: 'messages: must not be empty' }, undefined, headers);
    expect(isStreamOptionsRejection(mistral)).toBe(true);
    expect(isStreamOptionsRejection(groq)).toBe(true);
    expect(isStreamOptionsRejection(other)).toBe(false);
    expect(isStreamOptionsRejection(new Error('stream_options'))).toBe(false);
  });
});

describe('parseModelList', () => {
  it('reads OpenAI-style lists, OpenRouter prices and context, a bare array; skips unusable ids', () => {
    const ollama = {
      object: 'list',
      data: [{ id: 'llama3.2:latest', object: 'model', created: 1, owned_by: 'library' }],
    };
    expect(parseModelList(ollama)).toEqual([{ id: 'llama3.2:latest' }]);
    const openrouter = {
      data: [
        {
          id: 'google/gemini-2.5-flash',
          name: 'Google: Gemini 2.5 Flash',
          context_length: 1048576,
          pricing: { prompt: '0.0000003', completion: '0.0000025', input_cache_read: '0.00000003' },
        },
        {
          id: 'openrouter/auto',
          name: 'Auto Router',
          context_length: 2000000,
          pricing: { prompt: '-1', completion: '-1' },
        },
      ],
    };
    expect(parseModelList(openrouter)).toEqual([
      {
        id: 'google/gemini-2.5-flash',
        name: 'Google: Gemini 2.5 Flash',
        contextWindow: 1048576,
        pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5, cachedInputPerMillion: 0.03 },
      },
      { id: 'openrouter/auto', name: 'Auto Router', contextWindow: 2000000 },
    ]);
    expect(parseModelList([{ id: 'meta-llama/Llama-3-8b', context_length: 8192 }])).toEqual([
      { id: 'meta-llama/Llama-3-8b', contextWindow: 8192 },
    ]);
    expect(
      parseModelList({
        data: [{ id: '' }, { id: 42 }, { id: 'x'.repeat(501) }, { id: 'a' }, { id: 'a' }, null],
      }),
    ).toEqual([{ id: 'a' }]);
    expect(parseModelList({ models: [] })).toBeUndefined();
  });
});
