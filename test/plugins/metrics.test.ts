// GET /metrics scraped during and after a real comparison: the numbers an operator would watch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';
import { type Stack, startStack } from '../support/comparison-stack.js';
import { openSse } from '../support/sse-client.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** The value of one series, e.g. value(text, 'playground_open_streams'). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

const scrape = async () => (await fetch(`${stack.url}/metrics`)).text();

describe('GET /metrics', () => {
  it('counts open streams, chunks, endings, first-token times and tokens of a comparison', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    stack.scriptModels(
      { deltas: ['a', 'b', 'c'], intervalMs: 150, gate, usage: { inputTokens: 11, outputTokens: 3 } },
      { deltas: ['x', 'y'], intervalMs: 5, gate, usage: { inputTokens: 7, outputTokens: 2 } },
    );
    const token = stack.token('metrics-user');
    const created = await stack.api<{ streamUrl: string }>('POST', '/comparison', {
      token,
      body: { prompt: 'Count me', modelIds: stack.models.ids },
    });
    const sse = openSse(new URL(created.json.streamUrl, stack.url).href);
    await sse.status;
    const during = await scrape();
    expect(value(during, 'playground_open_streams')).toBe(1);
    // One process, no REDIS_URL: no Redis series (a 0 would read as Redis down).
    expect(during).not.toContain('playground_redis_up');
    release();
    // Chunks are counted as they are relayed, not only at the end.
    await sse.waitFor((e) => e.event === 'model_chunk');
    const streaming = await scrape();
    const relayed = (text: string) =>
      value(text, 'playground_chunks_relayed_total{provider="openai"}') +
      value(text, 'playground_chunks_relayed_total{provider="anthropic"}');
    expect(relayed(streaming)).toBeGreaterThanOrEqual(1);
    expect(value(streaming, 'playground_open_streams')).toBe(1);
    await sse.done;
    const after = await scrape();
    expect(value(after, 'playground_open_streams')).toBe(0);
    expect(value(after, 'playground_comparisons_total{outcome="completed"}')).toBe(1);
    expect(value(after, 'playground_chunks_relayed_total{provider="openai"}')).toBe(3);
    expect(value(after, 'playground_chunks_relayed_total{provider="anthropic"}')).toBe(2);
    expect(value(after, 'playground_time_to_first_token_seconds_count{provider="openai"}')).toBe(1);
    expect(value(after, 'playground_time_to_first_token_seconds_count{provider="anthropic"}')).toBe(1);
    expect(value(after, 'playground_tokens_total{provider="openai",direction="input"}')).toBe(11);
    expect(value(after, 'playground_tokens_total{provider="anthropic",direction="output"}')).toBe(2);
    expect(relayed(after)).toBeGreaterThan(relayed(streaming));
    // Requests by route pattern, never by raw URL.
    expect(after).toMatch(
      /playground_http_requests_total\{method="POST",route="\/comparison",status="201"\} 1/,
    );
    expect(after).not.toMatch(/route="\/comparison\/[0-9a-f-]{36}/);
  });

  it('counts a provider failure by its kind, and the comparison by its outcome', async () => {
    const before = await scrape();
    const overloaded = 'playground_model_failures_total{provider="anthropic",kind="overloaded"}';
    stack.scriptModels(
      { deltas: ['fine'] },
      { deltas: ['a', 'b'], errorAfter: 1, error: { type: 'overloaded_error', message: 'Overloaded' } },
    );
    const created = await stack.api<{ streamUrl: string }>('POST', '/comparison', {
      token: stack.token('metrics-failure-user'),
      body: { prompt: 'Fail one', modelIds: stack.models.ids },
    });
    const sse = openSse(new URL(created.json.streamUrl, stack.url).href);
    await sse.done;
    // The kind is for in-process readers: the event on the wire keeps the contract's fields.
    const failed = sse.events.find((e) => e.event === 'model_error');
    expect(Object.keys(failed?.data as object).sort()).toEqual([
      'error',
      'metrics',
      'modelId',
      'sessionId',
      'timestamp',
    ]);
    const after = await scrape();
    expect((value(before, overloaded) || 0) + 1).toBe(value(after, overloaded));
    expect(value(after, 'playground_comparisons_total{outcome="completed"}')).toBe(
      value(before, 'playground_comparisons_total{outcome="completed"}') + 1,
    );
  });

  it('refuses a client behind a proxy without METRICS_TOKEN, and needs the token when one is set', async () => {
    const forwarded = await fetch(`${stack.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(forwarded.status).toBe(403);
    expect(((await forwarded.json()) as { code: string }).code).toBe('FORBIDDEN');
    const app = await buildTestApp({ METRICS_TOKEN: 'metrics-token-0123456789' });
    try {
      const none = await app.inject({ url: '/metrics' });
      expect(none.statusCode).toBe(401);
      const wrong = await app.inject({
        url: '/metrics',
        headers: { authorization: 'Bearer metrics-token-0000000000' },
      });
      expect(wrong.statusCode).toBe(401);
      const right = await app.inject({
        url: '/metrics',
        headers: { authorization: 'Bearer metrics-token-0123456789' },
      });
      expect(right.statusCode).toBe(200);
      expect(right.body).toMatch(/^# HELP /m);
    } finally {
      await app.close();
    }
  });
});
