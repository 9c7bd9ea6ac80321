// The demo provider: deterministic simulated answers, estimated usage, max tokens, pacing and abort.
import { describe, expect, it } from 'vitest';
import { createDemoProvider, demoAnswer } from '../../src/providers/demo.js';
import { collect, failureOf, generateRequest } from '../support/collect.js';

const instant = createDemoProvider({ delayScale: 0 });
const answer = async (modelId: string, prompt: string, extra = {}) =>
  collect(instant.stream(generateRequest(modelId, { prompt, ...extra })));

describe('demo provider', () => {
  it('gives the same text for the same prompt and model, and differs otherwise', async () => {
    const first = await answer('demo-fast', 'Say hello in three languages');
    const again = await answer('demo-fast', 'Say hello in three languages');
    const otherPrompt = await answer('demo-fast', 'Explain recursion');
    const otherModel = await answer('demo-slow', 'Say hello in three languages');
    expect(again.text).toBe(first.text);
    expect(again.parts).toEqual(first.parts);
    expect(otherPrompt.text).not.toBe(first.text);
    expect(otherModel.text).not.toBe(first.text);
    expect(first.text).toContain('Say hello in three languages');
  });

  it('streams a few sentences in small chunks', async () => {
    for (const prompt of ['a', 'What is the capital of France?', 'x'.repeat(5000)]) {
      for (const model of ['demo-fast', 'demo-slow']) {
        const { chunks } = demoAnswer(model, prompt);
        expect(chunks.length).toBeGreaterThanOrEqual(40);
        expect(chunks.length).toBeLessThanOrEqual(120);
        expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(40);
      }
    }
  });

  it('reports usage estimated at four characters per token, then finishes', async () => {
    const result = await answer('demo-fast', 'Count my tokens please', { system: 'Be nice.' });
    expect(result.error).toBeUndefined();
    expect(result.parts.at(-1)?.type).toBe('finish');
    expect(result.parts.filter((p) => p.type === 'finish')).toHaveLength(1);
    expect(result.usage).toEqual({
      inputTokens: Math.ceil('Be nice.Count my tokens please'.length / 4),
      outputTokens: Math.ceil(result.text.length / 4),
    });
    expect(result.finishReason).toBe('stop');
  });

  it('stops at maxTokens', async () => {
    const result = await answer('demo-fast', 'A long answer, please', { maxTokens: 10 });
    expect(result.text.length).toBeLessThanOrEqual(40);
    expect(result.text.length).toBeGreaterThan(30);
    expect(result.usage?.outputTokens).toBe(10);
    expect(result.finishReason).toBe('length');
  });

  it('paces demo-fast like a quick model: some chunks per tens of milliseconds, done within seconds', async () => {
    const started = Date.now();
    let firstAt = 0;
    const result = await collect(
      createDemoProvider().stream(generateRequest('demo-fast', { prompt: 'pace' })),
      () => {
        firstAt ||= Date.now();
      },
    );
    const total = Date.now() - started;
    expect(firstAt - started).toBeGreaterThanOrEqual(50);
    expect(total).toBeGreaterThan(400);
    expect(total).toBeLessThan(4000);
    expect(result.error).toBeUndefined();
  });

  it('honours the abort signal promptly with a cancelled error', async () => {
    const controller = new AbortController();
    const stream = createDemoProvider().stream(generateRequest('demo-slow', { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await failureOf(stream);
    expect(error).toMatchObject({ kind: 'cancelled', provider: 'demo' });
    // demo-slow waits at least 700 ms before its first chunk; the abort must not wait for that.
    expect(Date.now() - started).toBeLessThan(650);
  });

  it('stops mid-stream when aborted between chunks', async () => {
    const controller = new AbortController();
    const result = await collect(
      createDemoProvider({ delayScale: 0.2 }).stream(
        generateRequest('demo-fast', { signal: controller.signal }),
      ),
      () => controller.abort(),
    );
    expect(result.error?.kind).toBe('cancelled');
    expect(result.parts).toHaveLength(1);
  });
});
