// Huge events in shapes a line cap misses: one event of many short lines, lines ended by CR alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { type RawBody, startRawSseServer } from '../support/raw-sse-server.js';
import { slowestAnswerWhile } from '../support/responsiveness.js';
import { openSse } from '../support/sse-client.js';

let stack: Stack;
let raw: Awaited<ReturnType<typeof startRawSseServer>>;
beforeAll(async () => {
  raw = await startRawSseServer();
  stack = await startStack({
    env: { PROVIDER_IDLE_TIMEOUT_MS: '60000', OPENAI_BASE_URL: `${raw.url}/v1` },
  });
});
afterAll(async () => {
  await stack?.close();
  await raw?.close();
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-raw',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
const usage = JSON.stringify({
  id: 'chatcmpl-raw',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
});

async function runBoth(body: RawBody) {
  raw.respond(body);
  stack.scriptModels({ deltas: 20, intervalMs: 20 });
  const r = await stack.api<Created>('POST', '/comparison', {
    token: stack.token('huge-shapes-user'),
    body: { prompt: 'Go big', modelIds: stack.models.ids },
  });
  expect(r.status, r.text).toBe(201);
  const started = performance.now();
  const sse = openSse(new URL(r.json.streamUrl, stack.url).href);
  const slowest = await slowestAnswerWhile(`${stack.url}/`, sse.done);
  const ends = Object.fromEntries(
    sse.events
      .filter((e) => e.event === 'model_complete' || e.event === 'model_error')
      .map((e) => [(e.data as { modelId: string }).modelId, e]),
  );
  const relayed = (modelId: string) =>
    sse.events
      .filter((e) => e.event === 'model_chunk' && (e.data as { modelId: string }).modelId === modelId)
      .reduce((n, e) => n + (e.data as { chunk: string }).chunk.length, 0);
  return { ends, slowest, ms: performance.now() - started, sessionId: r.json.sessionId, relayed };
}

async function storedText(sessionId: string) {
  const r = await stack.api<{ responses: { modelId: string; response: string }[] }>(
    'GET',
    `/comparison/${sessionId}`,
    { token: stack.token('huge-shapes-user') },
  );
  return r.json.responses.find((x) => x.modelId === stack.models.openai.id)?.response ?? '';
}

const errorOf = (e: { data: unknown } | undefined) => (e?.data as { error?: string } | undefined)?.error;

describe('event streams with huge events of other shapes', () => {
  it('one 50 MB event of short lines ends that model with a clear model_error; the other completes', async () => {
    const line = 'data: 0,\n';
    const block = line.repeat(Math.ceil((64 * 1024) / line.length));
    const blocks = Math.ceil((50 * 1024 * 1024) / block.length);
    const { ends, slowest, ms } = await runBoth(function* () {
      yield `data: ${chunk({ role: 'assistant', content: '' })}\n\n`;
      // One event: data lines joined by newlines make valid JSON, so only its size is wrong.
      yield `data: {"choices":[],"pad":[\n`;
      for (let i = 0; i < blocks; i++) yield block;
      yield 'data: 0]}\n\n';
      yield `data: ${chunk({}, 'stop')}\n\ndata: ${usage}\n\ndata: [DONE]\n\n`;
    });
    console.info(
      `50 MB event of short lines: ended after ${Math.round(ms)} ms, slowest GET / ${Math.round(slowest)} ms`,
    );
    expect(ends[stack.models.openai.id]?.event).toBe('model_error');
    expect(errorOf(ends[stack.models.openai.id])).toMatch(/one event larger than 8 MiB/);
    expect(ends[stack.models.anthropic.id]?.event).toBe('model_complete');
    expect(slowest).toBeLessThan(2000);
  }, 60_000);

  it('one 50 MB single-line event from a provider that costs us nothing to send: the server stays quick', async () => {
    const block = Buffer.from('x'.repeat(64 * 1024));
    const { ends, slowest, ms } = await runBoth(function* () {
      yield `data: ${chunk({ role: 'assistant', content: '' })}\n\n`;
      yield 'data: {"choices":[{"index":0,"delta":{"content":"';
      for (let i = 0; i < 800; i++) yield block;
      yield `"},"finish_reason":null}]}\n\ndata: ${chunk({}, 'stop')}\n\ndata: [DONE]\n\n`;
    });
    console.info(
      `50 MB one-line event: ended after ${Math.round(ms)} ms, slowest GET / ${Math.round(slowest)} ms`,
    );
    expect(errorOf(ends[stack.models.openai.id])).toMatch(/one event larger than 8 MiB/);
    expect(ends[stack.models.anthropic.id]?.event).toBe('model_complete');
    expect(slowest).toBeLessThan(2000);
  }, 60_000);

  it('a 20 MB answer in ordinary 4 KiB deltas is stopped at MAX_RESPONSE_CHARS, stored no longer than it', async () => {
    const delta = `data: ${chunk({ content: 'z'.repeat(4096) })}\n\n`;
    const { ends, slowest, ms, sessionId } = await runBoth(function* () {
      yield `data: ${chunk({ role: 'assistant', content: '' })}\n\n`;
      for (let i = 0; i < 5000; i++) yield delta;
      yield `data: ${chunk({}, 'stop')}\n\ndata: ${usage}\n\ndata: [DONE]\n\n`;
    });
    console.info(`20 MB answer: ended after ${Math.round(ms)} ms, slowest GET / ${Math.round(slowest)} ms`);
    expect(errorOf(ends[stack.models.openai.id])).toMatch(/passed the limit of 1000000 characters/);
    expect(ends[stack.models.anthropic.id]?.event).toBe('model_complete');
    expect((await storedText(sessionId)).length).toBeLessThanOrEqual(1_000_000);
    expect(slowest).toBeLessThan(2000);
  }, 60_000);

  it('one 7 MiB delta (under the event cap) is cut to MAX_RESPONSE_CHARS, relayed and stored no longer', async () => {
    const { ends, slowest, ms, sessionId, relayed } = await runBoth(function* () {
      yield `data: ${chunk({ role: 'assistant', content: '' })}\n\n`;
      yield `data: ${chunk({ content: 'q'.repeat(7 * 1024 * 1024) })}\n\n`;
      yield `data: ${chunk({}, 'stop')}\n\ndata: ${usage}\n\ndata: [DONE]\n\n`;
    });
    console.info(`7 MiB delta: ended after ${Math.round(ms)} ms, slowest GET / ${Math.round(slowest)} ms`);
    expect(errorOf(ends[stack.models.openai.id])).toMatch(/passed the limit of 1000000 characters/);
    expect(ends[stack.models.anthropic.id]?.event).toBe('model_complete');
    expect(relayed(stack.models.openai.id)).toBe(1_000_000);
    expect((await storedText(sessionId)).length).toBe(1_000_000);
    expect(slowest).toBeLessThan(2000);
  }, 60_000);

  it('lines ended by CR alone are lines: 12 MB of ordinary events completes', async () => {
    const pad = `: ${'p'.repeat(60 * 1024)}\r`;
    const { ends, slowest, ms } = await runBoth(function* () {
      yield `data: ${chunk({ role: 'assistant', content: '' })}\r\r`;
      for (let i = 0; i < 200; i++) yield `${pad}data: ${chunk({ content: `w${i} ` })}\r\r`;
      yield `data: ${chunk({}, 'stop')}\r\rdata: ${usage}\r\rdata: [DONE]\r\r`;
    });
    console.info(
      `12 MB of CR-ended events: ended after ${Math.round(ms)} ms, slowest GET / ${Math.round(slowest)} ms`,
    );
    expect(errorOf(ends[stack.models.openai.id])).toBeUndefined();
    expect(ends[stack.models.openai.id]?.event).toBe('model_complete');
    expect(ends[stack.models.anthropic.id]?.event).toBe('model_complete');
    expect(slowest).toBeLessThan(2000);
  }, 60_000);
});
