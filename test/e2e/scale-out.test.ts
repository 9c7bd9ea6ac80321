// Several instances on one database and one Redis: any instance streams, resumes and cancels any session.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Cluster, redisAnswers, startCluster } from '../support/cluster.js';
import type { Created, Stack } from '../support/comparison-stack.js';
import { openSse, type SseEvent, textsByModel } from '../support/sse-client.js';

const redisUp = await redisAnswers();
if (!redisUp) console.warn('scale-out tests skipped: no Redis on 127.0.0.1:6379');

let cluster: Cluster;
let a: Stack;
let b: Stack;

beforeAll(async () => {
  if (!redisUp) return;
  cluster = await startCluster(2);
  [a, b] = cluster.stacks as [Stack, Stack];
});
afterAll(async () => {
  await cluster?.close();
});
beforeEach(() => {
  if (!redisUp) return;
  cluster.providerServer.reset();
  cluster.providerServer.respond({ deltas: 40, intervalMs: 10 });
});

async function create(on: Stack, token: string, body: Record<string, unknown> = {}) {
  const r = await on.api<Created>('POST', '/comparison', {
    token,
    body: { prompt: 'Explain leases', modelIds: on.models.ids, ...body },
  });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

const urlOn = (s: Stack, c: Created) => new URL(c.streamUrl, s.url).href;

function checkShape(events: SseEvent[], firstId: number) {
  const ids = events.map((e) => Number(e.id));
  expect(ids).toEqual(ids.map((_, i) => firstId + i));
  const finals = events.filter((e) => e.event === 'comparison_complete' || e.event === 'comparison_error');
  expect(finals).toHaveLength(1);
  expect(events.at(-1)).toBe(finals[0]);
}

async function storedTexts(on: Stack, token: string, id: string) {
  const r = await on.api<{ status: string; responses: { modelId: string; response: string }[] }>(
    'GET',
    `/comparison/${id}`,
    { token },
  );
  return {
    status: r.json.status,
    texts: Object.fromEntries(r.json.responses.map((x) => [x.modelId, x.response])),
  };
}

describe.skipIf(!redisUp)('several instances over Redis', () => {
  it('streams a session run by A through B: every event once, in order, the chunks joining to the stored text', async () => {
    const token = a.token('cluster-stream');
    const c = await create(a, token);
    const client = openSse(urlOn(b, c));
    expect(await client.status).toBe(200);
    // B follows it live: it runs on A alone, and is still running when B relays its first chunk.
    await client.waitFor((e) => e.event === 'model_chunk');
    expect((await storedTexts(b, token, c.sessionId)).status).toBe('in_progress');
    expect(b.app.comparisons.activeCount).toBe(0);
    const { ended } = await client.done;
    expect(ended).toBe(true);
    checkShape(client.events, 1);
    expect(client.events.at(-1)?.event).toBe('comparison_complete');
    const stored = await storedTexts(b, token, c.sessionId);
    expect(stored.status).toBe('completed');
    expect(textsByModel(client.events)).toEqual(stored.texts);
    // The owner's own stream saw the very same events.
    const own = openSse(urlOn(a, c));
    await own.done;
    expect(own.events.map((e) => e.raw)).toEqual(client.events.map((e) => e.raw));
  });

  it('resumes on another instance from the last id seen: no gap, no duplicate, while the session runs', async () => {
    cluster.providerServer.respond({ deltas: 60, intervalMs: 15 });
    const token = a.token('cluster-resume');
    const c = await create(a, token);
    const first = openSse(urlOn(a, c));
    await first.waitFor((e) => Number(e.id) >= 10);
    first.close();
    const seen = [...first.events];
    const lastId = seen.at(-1)?.id as string;
    const resumed = openSse(urlOn(b, c), { 'last-event-id': lastId });
    await resumed.done;
    expect(Number(resumed.events[0]?.id)).toBe(Number(lastId) + 1);
    const all = [...seen, ...resumed.events];
    checkShape(all, 1);
    expect(textsByModel(all)).toEqual((await storedTexts(a, token, c.sessionId)).texts);
    // Already at the final event: 204 on any instance.
    const final = all.at(-1)?.id as string;
    const again = await b.api('GET', `/comparison/${c.sessionId}/stream`, {
      token,
      headers: { 'last-event-id': final },
    });
    expect(again.status).toBe(204);
  });

  it('cancels on B a session A runs: A aborts its upstream requests at once, every stream gets the endings', async () => {
    cluster.providerServer.respond({ deltas: 1000, intervalMs: 20 });
    const token = a.token('cluster-cancel');
    const c = await create(a, token);
    const watcher = openSse(urlOn(b, c));
    await watcher.waitFor((e) => e.event === 'model_chunk');
    await cluster.providerServer.waitForRequests(2);
    const started = Date.now();
    const r = await b.api<{ status: string }>('POST', `/comparison/${c.sessionId}/cancel`, { token });
    expect(r.status).toBe(202);
    expect(r.json.status).toBe('cancelled');
    await cluster.providerServer.waitForClose(0, 3000);
    await cluster.providerServer.waitForClose(1, 3000);
    expect(Date.now() - started).toBeLessThan(3000);
    await watcher.done;
    const last = watcher.events.at(-1);
    expect(last?.event).toBe('comparison_error');
    expect((last?.data as { error?: string } | undefined)?.error).toBe('cancelled');
    checkShape(watcher.events, 1);
  });

  it('holds MAX_RUNNING_PER_USER across instances', async () => {
    cluster.providerServer.respond({ deltas: 1000, intervalMs: 20 });
    const token = a.token('cluster-limit');
    const limit = a.app.config.limits.maxRunningPerUser;
    const made: Created[] = [];
    const answers = await Promise.all(
      Array.from({ length: limit + 4 }, (_, i) =>
        (i % 2 === 0 ? a : b).api<Created>('POST', '/comparison', {
          token,
          body: { prompt: `limit ${i}`, modelIds: [a.models.openai.id] },
        }),
      ),
    );
    for (const r of answers) if (r.status === 201) made.push(r.json);
    expect(made).toHaveLength(limit);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(4);
    // Cancelling one (on whichever instance) makes room again.
    const one = made[0] as Created;
    expect((await b.api('POST', `/comparison/${one.sessionId}/cancel`, { token })).status).toBe(202);
    const more = await b.api('POST', '/comparison', {
      token,
      body: { prompt: 'more', modelIds: [a.models.openai.id] },
    });
    expect(more.status, more.text).toBe(201);
    for (const m of [...made.slice(1), more.json as Created])
      await a.api('POST', `/comparison/${m.sessionId}/cancel`, { token });
  });

  it('start-up recovery of a new instance leaves a session a live instance runs alone', async () => {
    cluster.providerServer.respond({ deltas: 80, intervalMs: 20 });
    const token = a.token('cluster-recovery');
    const c = await create(a, token);
    const watcher = openSse(urlOn(a, c));
    await watcher.waitFor((e) => e.event === 'model_chunk');
    const late = await cluster.add();
    const s = await storedTexts(late, token, c.sessionId);
    expect(s.status).toBe('in_progress');
    await watcher.done;
    expect(watcher.events.at(-1)?.event).toBe('comparison_complete');
    expect((await storedTexts(late, token, c.sessionId)).status).toBe('completed');
  });
});
