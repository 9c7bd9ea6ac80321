// Scale-out under stress: rate limits shared by instances, and a Redis restart in the middle of a comparison.
import { afterAll, describe, expect, it } from 'vitest';
import { redisAnswers, startCluster } from '../support/cluster.js';
import type { Created } from '../support/comparison-stack.js';
import { type RedisServer, redisServerInstalled, startRedisServer } from '../support/redis-server.js';
import { openSse, type SseEvent, textsByModel } from '../support/sse-client.js';

const redisUp = await redisAnswers();
const installed = redisServerInstalled();
if (!redisUp) console.warn('shared rate limit test skipped: no Redis on 127.0.0.1:6379');
if (!installed) console.warn('Redis restart test skipped: no redis-server binary');

let own: RedisServer | undefined;
afterAll(async () => {
  await own?.stop();
});

function checkShape(events: SseEvent[]) {
  const ids = events.map((e) => Number(e.id));
  expect(ids).toEqual(ids.map((_, i) => 1 + i));
  expect(events.filter((e) => e.event === 'comparison_complete')).toHaveLength(1);
  expect(events.at(-1)?.event).toBe('comparison_complete');
}

describe.skipIf(!redisUp)('rate limits across instances', () => {
  it('RATE_LIMIT_MAX per user counts the requests of every instance together', async () => {
    const cluster = await startCluster(2, { env: { RATE_LIMIT_MAX: '6' } });
    try {
      const [a, b] = cluster.stacks;
      if (!a || !b) throw new Error('two instances');
      const token = a.token('rate-user');
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++)
        statuses.push((await (i % 2 === 0 ? a : b).api('GET', '/comparison', { token })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      // Another user has a budget of their own.
      expect((await b.api('GET', '/comparison', { token: b.token('rate-other') })).status).toBe(200);
    } finally {
      await cluster.close();
    }
  });
});

describe.skipIf(!installed)('Redis restarts while a comparison streams', () => {
  it('loses no event, and the streams on both instances end normally once Redis is back', async () => {
    own = await startRedisServer();
    const cluster = await startCluster(2, { redisUrl: own.url });
    try {
      const [a, b] = cluster.stacks;
      if (!a || !b) throw new Error('two instances');
      cluster.providerServer.respond({ deltas: 250, intervalMs: 20 });
      const token = a.token('restart-user');
      const r = await a.api<Created>('POST', '/comparison', {
        token,
        body: { prompt: 'Survive a restart', modelIds: a.models.ids },
      });
      expect(r.status, r.text).toBe(201);
      const onB = openSse(new URL(r.json.streamUrl, b.url).href);
      const onA = openSse(new URL(r.json.streamUrl, a.url).href);
      await onB.waitFor((e) => Number(e.id) >= 30);
      // Down longer than the lease and the store writes meanwhile: the owner takes its lease again.
      await own.restart(2000);
      // After the restart a third client joins on B: store, then what the owner appended again, then live.
      const late = openSse(new URL(r.json.streamUrl, b.url).href);
      const [doneA, doneB, doneLate] = await Promise.all([onA.done, onB.done, late.done]);
      expect([doneA.ended, doneB.ended, doneLate.ended]).toEqual([true, true, true]);
      for (const c of [onA, onB, late]) checkShape(c.events);
      const got = await b.api<{ status: string; responses: { modelId: string; response: string }[] }>(
        'GET',
        `/comparison/${r.json.sessionId}`,
        { token },
      );
      expect(got.json.status).toBe('completed');
      const stored = Object.fromEntries(got.json.responses.map((x) => [x.modelId, x.response]));
      for (const c of [onA, onB, late]) expect(textsByModel(c.events)).toEqual(stored);
    } finally {
      await cluster.close();
    }
  }, 60_000);
});

describe.skipIf(!redisUp)('graceful shutdown of one instance under load', () => {
  it('its own comparisons end (cancelled after the grace period); clients of other sessions resume elsewhere', async () => {
    const cluster = await startCluster(2, { env: { SHUTDOWN_GRACE_MS: '300' } });
    try {
      const [a, b] = cluster.stacks;
      if (!a || !b) throw new Error('two instances');
      cluster.providerServer.respond({ deltas: 300, intervalMs: 20 });
      const token = a.token('shutdown-user');
      const start = async (on: typeof a) => {
        const r = await on.api<Created>('POST', '/comparison', {
          token,
          body: { prompt: 'Under load', modelIds: on.models.ids },
        });
        expect(r.status, r.text).toBe(201);
        return r.json;
      };
      const ownedByA = await Promise.all([start(a), start(a), start(a)]);
      const ownedByB = await Promise.all([start(b), start(b)]);
      const url = (on: typeof a, c: Created) => new URL(c.streamUrl, on.url).href;
      const ownClients = ownedByA.map((c) => openSse(url(a, c)));
      const watchersOnB = ownedByA.map((c) => openSse(url(b, c)));
      const mirrorClients = ownedByB.map((c) => openSse(url(a, c)));
      for (const c of [...ownClients, ...mirrorClients]) await c.waitFor((e) => e.event === 'model_chunk');
      await a.app.close();
      // A's own comparisons were cancelled and their clients got the endings, as did B's watchers.
      for (const c of [...ownClients, ...watchersOnB]) {
        await c.done;
        const last = c.events.at(-1);
        expect(last?.event).toBe('comparison_error');
        expect((last?.data as { error?: string } | undefined)?.error).toBe('cancelled');
        const ids = c.events.map((e) => Number(e.id));
        expect(ids).toEqual(ids.map((_, i) => 1 + i));
      }
      // Clients that watched B's sessions through A were cut; they resume on B with no gap and no duplicate.
      for (const [i, c] of mirrorClients.entries()) {
        const { ended } = await c.done;
        expect(ended).toBe(true);
        expect(c.events.at(-1)?.event).toBe('model_chunk');
        const resumed = openSse(url(b, ownedByB[i] as Created), {
          'last-event-id': c.events.at(-1)?.id as string,
        });
        await resumed.done;
        checkShape([...c.events, ...resumed.events]);
      }
    } finally {
      await cluster.close();
    }
  }, 60_000);
});

describe.skipIf(!redisUp)('budgets across instances', () => {
  it('concurrent comparisons of one user on two instances never reserve past the limit', async () => {
    const cluster = await startCluster(2, {
      env: { BUDGET_USD_PER_DAY: '0.005', MAX_RUNNING_PER_USER: '50', RATE_LIMIT_MAX: '1000' },
    });
    try {
      const [a, b] = cluster.stacks;
      if (!a || !b) throw new Error('two instances');
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      a.scriptModels({ deltas: 5, intervalMs: 5, gate, usage: { inputTokens: 30, outputTokens: 300 } });
      const token = a.token('budget-cluster-user');
      const body = { prompt: 'Estimate me', modelIds: [a.models.openai.id], maxTokens: 1000 };
      const estimate = await a.api<{ totals: { maxCost: number } }>('POST', '/comparison/estimate', {
        token,
        body,
      });
      const fits = Math.floor(0.005 / estimate.json.totals.maxCost);
      expect(fits).toBeGreaterThan(1);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? a : b).api<Created>('POST', '/comparison', { token, body }),
        ),
      );
      release();
      expect(answers.filter((r) => r.status === 201)).toHaveLength(fits);
      expect(answers.filter((r) => r.status === 402)).toHaveLength(20 - fits);
      for (const r of answers.filter((x) => x.status === 201))
        await openSse(new URL(r.json.streamUrl, b.url).href).done;
    } finally {
      await cluster.close();
    }
  });
});
