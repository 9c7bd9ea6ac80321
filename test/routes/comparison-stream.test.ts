// The SSE stream over a real port and the real providers against the loopback provider server.
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { openSse, type SseEvent, textsByModel } from '../support/sse-client.js';

let stack: Stack;
let token: string;

beforeAll(async () => {
  // A short retention: replays of finished sessions come from the database, not from memory.
  stack = await startStack({
    env: { MAX_RESPONSE_CHARS: '20000000' },
    sessions: { maxLagBytes: 64 * 1024, logRetentionMs: 100 },
  });
  token = stack.token('stream-user');
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.providerServer.reset();
  stack.providerServer.respond({ deltas: 8, intervalMs: 5 });
});

async function create(body: Record<string, unknown> = {}) {
  const r = await stack.api<Created>('POST', '/comparison', {
    token,
    body: { prompt: 'Explain backpressure', modelIds: stack.models.ids, ...body },
  });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

const streamUrl = (c: Created) => new URL(c.streamUrl, stack.url).href;

function checkShape(events: SseEvent[], modelIds: string[]) {
  const ids = events.map((e) => Number(e.id));
  expect(ids).toEqual(ids.map((_, i) => (ids[0] ?? 0) + i));
  for (const m of modelIds) {
    const endings = events.filter(
      (e) =>
        (e.event === 'model_complete' || e.event === 'model_error') &&
        (e.data as { modelId: string }).modelId === m,
    );
    expect(endings, `endings of ${m}`).toHaveLength(1);
  }
  const finals = events.filter((e) => e.event === 'comparison_complete' || e.event === 'comparison_error');
  expect(finals).toHaveLength(1);
  expect(events.at(-1)).toBe(finals[0]);
}

async function stored(sessionId: string) {
  const r = await stack.api<{
    status: string;
    responses: { modelId: string; response: string; status: string }[];
  }>('GET', `/comparison/${sessionId}`, { token });
  expect(r.status).toBe(200);
  return r.json;
}

describe('GET /comparison/:id/stream', () => {
  it('streams every event in order with SSE headers, CORS kept, and the stored text equal to the chunks', async () => {
    const c = await create();
    const client = openSse(streamUrl(c), { origin: 'http://localhost:3000' });
    const { ended } = await client.done;
    expect(ended).toBe(true);
    const headers = await client.headers;
    expect(headers['content-type']).toMatch(/^text\/event-stream/);
    expect(headers['cache-control']).toBe('no-cache, no-transform');
    expect(headers['x-accel-buffering']).toBe('no');
    expect(headers['content-encoding']).toBeUndefined();
    expect(headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(headers['x-request-id']).toBeTruthy();
    checkShape(client.events, stack.models.ids);
    expect(client.events[0]?.id).toBe('1');
    expect(client.events.at(-1)?.event).toBe('comparison_complete');
    const complete = client.events.find((e) => e.event === 'model_complete');
    expect((complete?.data as { metrics?: Record<string, unknown> } | undefined)?.metrics).toMatchObject({
      inputTokens: 12,
      outputTokens: 8,
      cost: expect.any(Number),
      responseTimeMs: expect.any(Number),
      timeToFirstTokenMs: expect.any(Number),
      tokensPerSecond: expect.any(Number),
    });
    const texts = textsByModel(client.events);
    const session = await stored(c.sessionId);
    expect(session.status).toBe('completed');
    for (const r of session.responses) {
      expect(r.status).toBe('completed');
      expect(r.response).toBe(texts[r.modelId]);
      expect(r.response.length).toBeGreaterThan(0);
    }
  });

  it('serves two subscribers and a late one the same events exactly once', async () => {
    stack.scriptModels({ deltas: 30, intervalMs: 10 });
    const c = await create();
    const a = openSse(streamUrl(c));
    const b = openSse(`${stack.url}/comparison/${c.sessionId}/stream`, { authorization: `Bearer ${token}` });
    await a.waitFor((e) => Number(e.id) >= 10);
    const late = openSse(streamUrl(c));
    await Promise.all([a.done, b.done, late.done]);
    const ids = (x: typeof a) => x.events.map((e) => e.id);
    expect(ids(b)).toEqual(ids(a));
    expect(ids(late)).toEqual(ids(a));
    checkShape(a.events, stack.models.ids);
    // After the end (and after its log left memory), a new subscriber replays the whole session
    // from the database, byte for byte, and the stream closes.
    await new Promise((r) => setTimeout(r, 250));
    const replay = openSse(streamUrl(c));
    expect((await replay.done).ended).toBe(true);
    expect(replay.events.map((e) => e.raw)).toEqual(a.events.map((e) => e.raw));
  });

  it('resumes after Last-Event-ID mid-run (header or query) and answers 204 after the final event', async () => {
    stack.scriptModels({ deltas: 30, intervalMs: 10 });
    const c = await create();
    const first = openSse(streamUrl(c));
    await first.waitFor((e) => Number(e.id) >= 5);
    first.close();
    const seen = first.events.map((e) => Number(e.id));
    const last = Math.max(...seen);
    const viaHeader = openSse(streamUrl(c), { 'last-event-id': String(last) });
    const viaQuery = openSse(`${streamUrl(c)}&lastEventId=${last}`);
    await Promise.all([viaHeader.done, viaQuery.done]);
    expect(Number(viaHeader.events[0]?.id)).toBe(last + 1);
    expect(viaQuery.events.map((e) => e.id)).toEqual(viaHeader.events.map((e) => e.id));
    const all = [...first.events, ...viaHeader.events];
    checkShape(all, stack.models.ids);
    const session = await stored(c.sessionId);
    const texts = textsByModel(all);
    for (const r of session.responses) expect(r.response).toBe(texts[r.modelId]);

    const finalId = viaHeader.events.at(-1)?.id as string;
    const after = openSse(streamUrl(c), { 'last-event-id': finalId });
    expect(await after.status).toBe(204);
    const afterQuery = await fetch(`${streamUrl(c)}&lastEventId=${finalId}`);
    expect(afterQuery.status).toBe(204);
    const bad = await fetch(streamUrl(c), { headers: { 'last-event-id': 'abc' } });
    expect(bad.status).toBe(400);
  });

  it('keeps running and stores everything when the only client goes away', async () => {
    stack.scriptModels({ deltas: 20, intervalMs: 10 });
    const c = await create();
    const client = openSse(streamUrl(c));
    await client.waitFor((e) => e.event === 'model_chunk');
    client.close();
    const watcher = openSse(`${streamUrl(c)}&lastEventId=0`);
    await watcher.done;
    expect(watcher.events.at(-1)?.event).toBe('comparison_complete');
    const session = await stored(c.sessionId);
    expect(session.status).toBe('completed');
    const texts = textsByModel(watcher.events);
    for (const r of session.responses) expect(r.response).toBe(texts[r.modelId]);
    expect(stack.providerServer.requests.every((r) => !r.closedByClient)).toBe(true);
  });

  it('works with the eventsource package, which stops after the final event instead of reconnecting', async () => {
    const c = await create();
    let connects = 0;
    const received: MessageEvent[] = [];
    const es = new EventSource(streamUrl(c), {
      fetch: (input, init) => {
        connects++;
        return fetch(input, init);
      },
    });
    const names = ['model_chunk', 'model_complete', 'model_error', 'comparison_complete', 'comparison_error'];
    for (const name of names) es.addEventListener(name, (e) => received.push(e));
    await new Promise<void>((resolve) => {
      es.addEventListener('comparison_complete', () => resolve());
    });
    // The server closes; EventSource reconnects once with Last-Event-ID, gets 204 and stops for good.
    const start = Date.now();
    while (es.readyState !== EventSource.CLOSED && Date.now() - start < 8000)
      await new Promise((r) => setTimeout(r, 50));
    expect(es.readyState).toBe(EventSource.CLOSED);
    await new Promise((r) => setTimeout(r, 300));
    expect(connects).toBeLessThanOrEqual(2);
    es.close();
    expect(received.at(-1)?.type).toBe('comparison_complete');
    expect(received.map((e) => Number(e.lastEventId))).toEqual(received.map((_, i) => i + 1));
  });

  it('sends : ping comments while the models are quiet', async () => {
    stack.scriptModels({ deltas: 2, firstDelayMs: 700, intervalMs: 5 });
    const c = await create();
    const client = openSse(streamUrl(c));
    await client.done;
    expect(client.comments.filter((line) => line === ': ping').length).toBeGreaterThanOrEqual(2);
  });

  it('disconnects a client that stops reading once it falls behind, without holding up the others', async () => {
    // Far more than the socket buffers of a client that reads nothing can hold.
    const big = Array.from({ length: 600 }, (_, i) => `${String(i).padStart(4, '0')}${'x'.repeat(16_000)} `);
    stack.scriptModels({ deltas: big, intervalMs: 1 }, { deltas: 5, intervalMs: 5 });
    const c = await create();
    const slow = openSse(streamUrl(c));
    await slow.waitFor((e) => e.event === 'model_chunk');
    slow.pause();
    const reader = openSse(streamUrl(c));
    await reader.done;
    expect(reader.events.at(-1)?.event).toBe('comparison_complete');
    // The server cut the paused client off instead of buffering for it.
    const start = Date.now();
    while (!/slow stream client fell too far behind/.test(stack.logs.text()) && Date.now() - start < 5000)
      await new Promise((r) => setTimeout(r, 50));
    expect(stack.logs.text()).toMatch(/slow stream client fell too far behind/);
    slow.resume();
    expect((await slow.done).ended).toBe(false);
    // It resumes where it got to and ends with the same events as the reader.
    const lastSeen = slow.events.at(-1)?.id as string;
    const resumed = openSse(streamUrl(c), { 'last-event-id': lastSeen });
    await resumed.done;
    const ids = [...slow.events, ...resumed.events].map((e) => e.id);
    expect(ids).toEqual(reader.events.map((e) => e.id));
  });
});
