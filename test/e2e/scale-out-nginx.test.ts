// Three real server processes behind Debian's nginx (the documented site), on one database and a Redis of the test's own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from '../helper.js';
import { NGINX, type Nginx, startNginx } from '../support/nginx.js';
import { explainSkip, type ThrowawayDatabase, throwawayDatabase } from '../support/postgres.js';
import { type ServerProcess, startServerProcess } from '../support/process.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';
import { type RedisServer, redisServerInstalled, startRedisServer } from '../support/redis-server.js';
import { openSse, type SseEvent, textsByModel } from '../support/sse-client.js';
import { signHs256 } from '../support/tokens.js';

const SUITE = 'three instances behind nginx';
const missing = !NGINX ? 'nginx is not installed' : !redisServerInstalled() ? 'no redis-server binary' : '';
if (missing) explainSkip(SUITE, missing);

let db: ThrowawayDatabase | undefined;
let dir = '';
let redis: RedisServer;
let providers: ProviderServer;
let nginx: Nginx;
const instances: { process: ServerProcess; url: string; host: string }[] = [];
let models: string[] = [];
const token = signHs256({ sub: 'nginx-user' }, TEST_JWT_SECRET);
const auth = { authorization: `Bearer ${token}` };

beforeAll(async () => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'playground-nginx-e2e-'));
  const pg = await throwawayDatabase();
  // Postgres where the machine has one (this project's machines do); else the instances share a
  // SQLite file, which several processes on one machine can also do, and the suite says so.
  if (typeof pg === 'string') console.warn(`[${SUITE}] on a shared SQLite file: ${pg}`);
  else db = pg;
  redis = await startRedisServer();
  // A prompt with LONG streams for a minute (cancel, kill); others stream 60 deltas 50 ms apart.
  providers = await startProviderServer((request) =>
    JSON.stringify(request.body).includes('LONG')
      ? { deltas: 3000, intervalMs: 20 }
      : { deltas: 60, intervalMs: 50 },
  );
  const env = {
    ...(db ? { DATABASE_URL: db.url } : { DATABASE_PATH: join(dir, 'shared.sqlite') }),
    REDIS_URL: redis.url,
    JWT_SECRET: TEST_JWT_SECRET,
    DEMO_MODELS: 'false',
    OPENAI_API_KEY: 'sk-test-openai',
    OPENAI_BASE_URL: providers.openaiBaseURL,
    ANTHROPIC_API_KEY: 'sk-ant-test',
    ANTHROPIC_BASE_URL: providers.anthropicBaseURL,
    RATE_LIMIT_MAX: '10000',
    MAX_RUNNING_PER_USER: '20',
    SHUTDOWN_GRACE_MS: '0',
    TRUST_PROXY: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
  // One after the other: each migrates (a no-op after the first) and runs start-up recovery.
  for (let i = 0; i < 3; i++) {
    const process = startServerProcess(env);
    const url = await process.url;
    instances.push({ process, url, host: new URL(url).host });
  }
  nginx = await startNginx(instances.map((i) => i.url));
  const available = await fetch(`${nginx.url}/comparison/models/available`, { headers: auth });
  const list = (await available.json()) as { id: string; provider: string }[];
  models = ['openai', 'anthropic'].map((p) => list.find((m) => m.provider === p)?.id ?? '');
}, 120_000);

afterAll(async () => {
  await nginx?.stop();
  for (const i of instances) if (i.process.child.exitCode === null) i.process.child.kill('SIGKILL');
  await Promise.all(instances.map((i) => i.process.exited));
  await providers?.close();
  await redis?.stop();
  await db?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The instance nginx sent the latest request to. */
async function lastUpstream(): Promise<string> {
  const entries = await nginx.access();
  return entries.at(-1)?.upstreams.at(-1) ?? '';
}

/**
 * nginx's round robin takes the instances in their order, one request each: cheap requests move it
 * on until the next request will reach an instance other than those in `avoid`.
 */
async function steerAwayFrom(...avoid: string[]) {
  for (let i = 0; i < 4; i++) {
    const last = await lastUpstream();
    const alive = instances.filter((x) => x.process.child.exitCode === null).map((x) => x.host);
    const next = alive[(alive.indexOf(last) + 1) % alive.length];
    if (next && !avoid.includes(next)) return;
    await fetch(`${nginx.url}/health`);
  }
}

async function start(prompt: string) {
  const res = await fetch(`${nginx.url}/comparison`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, modelIds: models }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const created = (await res.json()) as { sessionId: string; streamUrl: string };
  return { ...created, owner: await lastUpstream() };
}

const stored = async (sessionId: string) => {
  const res = await fetch(`${nginx.url}/comparison/${sessionId}`, { headers: auth });
  return (await res.json()) as {
    status: string;
    responses: { modelId: string; response: string; status: string }[];
  };
};
const storedTexts = (s: Awaited<ReturnType<typeof stored>>) =>
  Object.fromEntries(s.responses.map((r) => [r.modelId, r.response]));
const ids = (events: SseEvent[]) => events.map((e) => Number(e.id));
const isFinal = (e: SseEvent) => e.event === 'comparison_complete' || e.event === 'comparison_error';
const chunks = (events: SseEvent[]) => events.filter((e) => e.event === 'model_chunk').length;

describe.skipIf(missing !== '')(SUITE, () => {
  it('a stream cut on one instance resumes on another with Last-Event-ID: no gap, no duplicate, the stored answer exactly', async () => {
    const created = await start('Resume me across instances');
    await steerAwayFrom(created.owner);
    const first = openSse(`${nginx.url}${created.streamUrl}`, auth);
    await first.waitFor(() => chunks(first.events) >= 10, 10_000);
    first.close();
    const firstOn = await lastUpstream();
    await steerAwayFrom(firstOn);
    const lastId = first.events.at(-1)?.id ?? '0';
    const second = openSse(`${nginx.url}${created.streamUrl}`, { ...auth, 'last-event-id': lastId });
    await second.waitFor(isFinal, 30_000);
    const secondOn = (await nginx.access())
      .filter((e) => e.uri === created.streamUrl)
      .at(-1)
      ?.upstreams.at(-1);
    expect(new Set([created.owner, firstOn, secondOn]).size, 'three different instances').toBe(3);

    const all = [...first.events, ...second.events];
    expect(ids(all)).toEqual(ids(all).map((_, i) => i + 1));
    expect(all.at(-1)?.event).toBe('comparison_complete');
    const session = await stored(created.sessionId);
    expect(session.status).toBe('completed');
    expect(textsByModel(all)).toEqual(storedTexts(session));
    expect(Object.values(storedTexts(session)).every((t) => t.length > 0)).toBe(true);
  });

  it('a cancel sent through another instance aborts the upstream requests at the owner', async () => {
    const before = providers.requests.length;
    const created = await start('LONG: cancel me elsewhere');
    await providers.waitForRequests(before + 2, 10_000);
    const stream = openSse(`${nginx.url}${created.streamUrl}`, auth);
    await stream.waitFor((e) => e.event === 'model_chunk', 10_000);
    await steerAwayFrom(created.owner);
    const cancel = await fetch(`${nginx.url}/comparison/${created.sessionId}/cancel`, {
      method: 'POST',
      headers: auth,
    });
    expect(cancel.status).toBeLessThan(300);
    expect(await lastUpstream()).not.toBe(created.owner);
    await providers.waitForClose(before, 5_000);
    await providers.waitForClose(before + 1, 5_000);
    await stream.waitFor(isFinal, 10_000);
    expect((await stored(created.sessionId)).status).toBe('cancelled');
  });

  it('the owner killed with SIGKILL mid-stream: within 30 s the session is failed, its stream gets the endings, nothing streamed is lost', async () => {
    const created = await start('LONG: kill my owner');
    await steerAwayFrom(created.owner);
    const stream = openSse(`${nginx.url}${created.streamUrl}`, auth);
    await stream.waitFor(() => chunks(stream.events) >= 20, 10_000);
    const owner = instances.find((i) => i.host === created.owner);
    expect(owner).toBeDefined();
    const killedAt = performance.now();
    owner?.process.child.kill('SIGKILL');
    await owner?.process.exited;
    const final = await stream.waitFor(isFinal, 35_000);
    const tookMs = performance.now() - killedAt;
    console.info(`owner killed: the session ended after ${Math.round(tookMs)} ms`);
    expect(tookMs).toBeLessThan(30_000);
    expect(final.event).toBe('comparison_error');
    expect((final.data as { status: string }).status).toBe('failed');
    expect(stream.events.filter((e) => e.event === 'model_error')).toHaveLength(2);
    const session = await stored(created.sessionId);
    expect(session.status).toBe('failed');
    // Everything the client was sent is stored, and nothing else: the stored text is the joined chunks.
    expect(storedTexts(session)).toEqual(textsByModel(stream.events));
    expect(Object.values(storedTexts(session)).every((t) => t.length > 0)).toBe(true);
    // The dead owner's reservations are settled to the estimated cost of what was streamed.
    const costs = stream.events
      .filter((e) => e.event === 'model_error')
      .map((e) => (e.data as { metrics: { cost: number; costSource: string } }).metrics);
    expect(costs.map((c) => c.costSource)).toEqual(['estimated', 'estimated']);
    const usage = await fetch(`${nginx.url}/me/usage`, { headers: auth });
    expect(((await usage.json()) as { day: { reserved: number } }).day.reserved).toBe(0);
  }, 60_000);

  it('Redis restarted mid-comparison: the stream neither loses events nor hangs', async () => {
    const created = await start('Survive a Redis restart');
    await steerAwayFrom(created.owner);
    const stream = openSse(`${nginx.url}${created.streamUrl}`, auth);
    await stream.waitFor(() => chunks(stream.events) >= 10, 10_000);
    await redis.restart(500);
    const final = await stream.waitFor(isFinal, 30_000);
    expect(final.event).toBe('comparison_complete');
    expect(ids(stream.events)).toEqual(ids(stream.events).map((_, i) => i + 1));
    const session = await stored(created.sessionId);
    expect(session.status).toBe('completed');
    expect(textsByModel(stream.events)).toEqual(storedTexts(session));
    await sleep(0);
  }, 60_000);
});
