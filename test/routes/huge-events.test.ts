// A provider that sends one huge event, or a huge answer: that model fails clearly, nothing else stalls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { slowestAnswerWhile } from '../support/responsiveness.js';
import { openSse } from '../support/sse-client.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { PROVIDER_IDLE_TIMEOUT_MS: '60000' } });
});
afterAll(async () => {
  await stack?.close();
});

async function runBoth(forOpenAI: Parameters<Stack['scriptModels']>[0]) {
  stack.scriptModels(forOpenAI, { deltas: 20, intervalMs: 20 });
  const token = stack.token('huge-user');
  const r = await stack.api<Created>('POST', '/comparison', {
    token,
    body: { prompt: 'Go big', modelIds: stack.models.ids },
  });
  expect(r.status).toBe(201);
  const sse = openSse(new URL(r.json.streamUrl, stack.url).href);
  const slowest = await slowestAnswerWhile(`${stack.url}/`, sse.done);
  const ends = Object.fromEntries(
    sse.events
      .filter((e) => e.event === 'model_complete' || e.event === 'model_error')
      .map((e) => [(e.data as { modelId: string }).modelId, e]),
  );
  return { sse, slowest, ends };
}

describe('huge provider events', () => {
  it('one 50 MB event ends that model with a clear model_error; the other completes; GET / stays quick', async () => {
    const started = performance.now();
    const { slowest, ends } = await runBoth({ deltas: ['x'.repeat(50 * 1024 * 1024)] });
    console.info(
      `50 MB event: ended after ${Math.round(performance.now() - started)} ms, slowest GET / ${Math.round(slowest)} ms`,
    );
    expect(ends[stack.models.openai.id]?.event).toBe('model_error');
    expect((ends[stack.models.openai.id]?.data as { error: string } | undefined)?.error).toMatch(
      /one event larger than 8 MiB/,
    );
    expect(ends[stack.models.anthropic.id]?.event).toBe('model_complete');
    expect(slowest).toBeLessThan(2000);
  }, 60_000);

  it('an answer past MAX_RESPONSE_CHARS (2.6 MB) in ordinary chunks is stopped there with a clear model_error', async () => {
    const chunk = 'y'.repeat(64 * 1024);
    const started = performance.now();
    const { slowest, ends } = await runBoth({
      deltas: Array.from({ length: 320 }, () => chunk),
      intervalMs: 0,
    });
    console.info(
      `2.6 MB answer: ended after ${Math.round(performance.now() - started)} ms, slowest GET / ${Math.round(slowest)} ms`,
    );
    expect(ends[stack.models.openai.id]?.event).toBe('model_error');
    expect((ends[stack.models.openai.id]?.data as { error: string } | undefined)?.error).toMatch(
      /passed the limit of 1000000 characters/,
    );
    expect(ends[stack.models.anthropic.id]?.event).toBe('model_complete');
    expect(slowest).toBeLessThan(2000);
  }, 60_000);
});
