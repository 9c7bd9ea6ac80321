// kill -9 of the instance that runs a comparison: a sibling ends it as failed within 30 s, and its streams get the endings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { INTERRUPTED_MODEL, INTERRUPTED_SESSION } from '../../src/services/recovery.js';
import { captureLogs, TEST_JWT_SECRET, testConfig } from '../helper.js';
import { startServerProcess } from '../support/process.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';
import { type RedisServer, redisServerInstalled, startRedisServer } from '../support/redis-server.js';
import { openSse, type SseEvent, textsByModel } from '../support/sse-client.js';
import { signHs256 } from '../support/tokens.js';

const installed = redisServerInstalled();
if (!installed) console.warn('failover test skipped: no redis-server binary to start one of its own');

let redis: RedisServer;
let providers: ProviderServer;
const dir = mkdtempSync(join(tmpdir(), 'playground-failover-'));
const dbPath = join(dir, 'db.sqlite');

beforeAll(async () => {
  if (!installed) return;
  redis = await startRedisServer();
  providers = await startProviderServer({ deltas: 3000, intervalMs: 20 });
});
afterAll(async () => {
  await providers?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// The same settings for both instances; the default lease and sweep timings (the 30 s promise).
const env = () => ({
  DATABASE_PATH: dbPath,
  JWT_SECRET: TEST_JWT_SECRET,
  REDIS_URL: redis.url,
  DEMO_MODELS: 'false',
  OPENAI_API_KEY: 'sk-test-openai',
  OPENAI_BASE_URL: providers.openaiBaseURL,
  ANTHROPIC_API_KEY: 'sk-ant-test',
  ANTHROPIC_BASE_URL: providers.anthropicBaseURL,
  MAX_RUNNING_PER_USER: '20',
  LOG_LEVEL: 'info',
});

describe.skipIf(!installed)('the owner of a running comparison dies', () => {
  it('a sibling notices the lapsed lease, stores what Redis held, ends the session failed; open streams get the endings', async () => {
    const owner = startServerProcess(env());
    const ownerUrl = await owner.url;
    const logs = captureLogs();
    const sibling = await buildApp(testConfig({ ...env(), LOG_LEVEL: 'info' }), { logStream: logs.stream });
    try {
      await sibling.listen({ port: 0, host: '127.0.0.1' });
      const { port } = sibling.server.address() as { port: number };
      const siblingUrl = `http://127.0.0.1:${port}`;
      const token = signHs256({ sub: 'failover-user' }, TEST_JWT_SECRET);
      const r = await fetch(`${ownerUrl}/comparison`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'A long story', modelIds: ['gpt-4o-mini', 'claude-haiku-4-5'] }),
      });
      expect(r.status).toBe(201);
      const { sessionId, streamUrl } = (await r.json()) as { sessionId: string; streamUrl: string };
      // One client on the sibling (a mirror of the owner's run), one on the owner itself.
      const viaSibling = openSse(new URL(streamUrl, siblingUrl).href);
      const viaOwner = openSse(new URL(streamUrl, ownerUrl).href);
      const chunks = (c: { events: SseEvent[] }) => c.events.filter((e) => e.event === 'model_chunk').length;
      const start = Date.now();
      while (chunks(viaSibling) < 20 || chunks(viaOwner) < 20) {
        if (Date.now() - start > 15_000) throw new Error('the streams did not start');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      owner.child.kill('SIGKILL');
      await owner.exited;
      const killedAt = Date.now();
      const seenOnOwner = [...viaOwner.events];

      const final = await viaSibling.waitFor((e) => e.event === 'comparison_error', 30_000);
      expect(Date.now() - killedAt).toBeLessThan(30_000);
      expect((final.data as { error: string }).error).toBe(INTERRUPTED_SESSION);
      await viaSibling.done;
      const events = viaSibling.events;
      const ids = events.map((e) => Number(e.id));
      expect(ids).toEqual(ids.map((_, i) => 1 + i));
      const endings = events.filter((e) => e.event === 'model_error');
      expect(endings.map((e) => (e.data as { error: string }).error)).toEqual([
        INTERRUPTED_MODEL,
        INTERRUPTED_MODEL,
      ]);

      // The store has the text so far: exactly what the sibling's client saw.
      const got = await fetch(`${siblingUrl}/comparison/${sessionId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const stored = (await got.json()) as {
        status: string;
        responses: { modelId: string; response: string }[];
      };
      expect(stored.status).toBe('failed');
      expect(Object.fromEntries(stored.responses.map((x) => [x.modelId, x.response]))).toEqual(
        textsByModel(events),
      );

      // A client of the dead owner resumes on the sibling from the last id it saw: the rest, then the endings.
      const lastSeen = seenOnOwner.at(-1)?.id as string;
      const resumed = openSse(new URL(streamUrl, siblingUrl).href, { 'last-event-id': lastSeen });
      await resumed.done;
      const all = [...seenOnOwner, ...resumed.events];
      expect(all.map((e) => Number(e.id))).toEqual(ids);
      expect(all.at(-1)?.event).toBe('comparison_error');
    } finally {
      owner.child.kill('SIGKILL');
      await sibling.close();
    }
  }, 60_000);

  it('an owner that stalls past its lease (SIGSTOP) is taken over; woken, it stops its models and writes nothing more', async () => {
    providers.reset();
    const owner = startServerProcess(env());
    const ownerUrl = await owner.url;
    const logs = captureLogs();
    const sibling = await buildApp(testConfig({ ...env(), LOG_LEVEL: 'info' }), { logStream: logs.stream });
    try {
      await sibling.listen({ port: 0, host: '127.0.0.1' });
      const { port } = sibling.server.address() as { port: number };
      const siblingUrl = `http://127.0.0.1:${port}`;
      const token = signHs256({ sub: 'stall-user' }, TEST_JWT_SECRET);
      const r = await fetch(`${ownerUrl}/comparison`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'A long story', modelIds: ['gpt-4o-mini', 'claude-haiku-4-5'] }),
      });
      expect(r.status).toBe(201);
      const { sessionId, streamUrl } = (await r.json()) as { sessionId: string; streamUrl: string };
      const viaSibling = openSse(new URL(streamUrl, siblingUrl).href);
      const viaOwner = openSse(new URL(streamUrl, ownerUrl).href);
      const chunks = (c: { events: SseEvent[] }) => c.events.filter((e) => e.event === 'model_chunk').length;
      const start = Date.now();
      while (chunks(viaSibling) < 20 || chunks(viaOwner) < 20) {
        if (Date.now() - start > 15_000) throw new Error('the streams did not start');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      owner.child.kill('SIGSTOP');
      const final = await viaSibling.waitFor((e) => e.event === 'comparison_error', 30_000);
      expect((final.data as { error: string }).error).toBe(INTERRUPTED_SESSION);
      const read = async () => {
        const got = await fetch(`${siblingUrl}/comparison/${sessionId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return (await got.json()) as { status: string; responses: { modelId: string; response: string }[] };
      };
      const before = await read();
      expect(before.status).toBe('failed');
      owner.child.kill('SIGCONT');
      // Woken, the former owner learns it lost the lease and closes its upstream requests.
      await providers.waitForClose(0, 10_000);
      await providers.waitForClose(1, 10_000);
      // Its clients are cut; resuming on the sibling they get the endings, no id twice.
      await viaOwner.done;
      const seen = [...viaOwner.events];
      expect(seen.some((e) => e.event === 'comparison_error')).toBe(false);
      const resumed = openSse(new URL(streamUrl, siblingUrl).href, {
        'last-event-id': seen.at(-1)?.id as string,
      });
      await resumed.done;
      const all = [...seen, ...resumed.events];
      expect(all.map((e) => e.id)).toEqual(viaSibling.events.map((e) => e.id));
      // Nothing more reached the store from the former owner.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const after = await read();
      expect({ status: after.status, responses: after.responses }).toEqual({
        status: before.status,
        responses: before.responses,
      });
      expect(Object.fromEntries(after.responses.map((x) => [x.modelId, x.response]))).toEqual(
        textsByModel(viaSibling.events),
      );
    } finally {
      owner.child.kill('SIGKILL');
      await sibling.close();
    }
  }, 90_000);
});
