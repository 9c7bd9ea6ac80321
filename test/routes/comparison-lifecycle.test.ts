// Endings over real HTTP: cancel closes upstream sockets, failures stay per model, limits, shutdown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { openSse, textsByModel } from '../support/sse-client.js';

let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack({ env: { MAX_RUNNING_PER_USER: '2' } });
  token = stack.token('lifecycle-user');
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => {
  stack.providerServer.reset();
  stack.providerServer.respond({ deltas: 8, intervalMs: 5 });
});

async function create(as = token) {
  const r = await stack.api<Created>('POST', '/comparison', {
    token: as,
    body: { prompt: 'Compare these', modelIds: stack.models.ids },
  });
  expect(r.status, r.text).toBe(201);
  return r.json;
}

type Stored = {
  status: string;
  errorMessage: string | null;
  responses: { modelId: string; response: string; status: string; errorMessage: string | null }[];
};

describe('comparison endings', () => {
  it('cancel aborts the upstream requests at once, ends the stream and records cancelled', async () => {
    stack.scriptModels({ deltas: 500, intervalMs: 20 });
    const c = await create();
    const client = openSse(new URL(c.streamUrl, stack.url).href);
    await client.waitFor((e) => e.event === 'model_chunk');
    await stack.providerServer.waitForRequests(2);
    const r = await stack.api<{ sessionId: string; status: string }>(
      'POST',
      `/comparison/${c.sessionId}/cancel`,
      {
        token,
      },
    );
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ sessionId: c.sessionId, status: 'cancelled' });
    await Promise.all([stack.providerServer.waitForClose(0), stack.providerServer.waitForClose(1)]);
    expect(stack.providerServer.requests.every((x) => x.closedByClient)).toBe(true);
    const { ended } = await client.done;
    expect(ended).toBe(true);
    const endings = client.events
      .filter((e) => e.event !== 'model_chunk')
      .map((e) => [e.event, (e.data as { error?: string }).error]);
    expect(endings).toEqual([
      ['model_error', 'cancelled'],
      ['model_error', 'cancelled'],
      ['comparison_error', 'cancelled'],
    ]);
    const g = await stack.api<Stored>('GET', `/comparison/${c.sessionId}`, { token });
    expect(g.json.status).toBe('cancelled');
    const texts = textsByModel(client.events);
    for (const resp of g.json.responses) {
      expect(resp.status).toBe('cancelled');
      expect(resp.response).toBe(texts[resp.modelId] ?? '');
    }
    // Cancelling a finished session changes nothing and says how it ended.
    const again = await stack.api('POST', `/comparison/${c.sessionId}/cancel`, { token });
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ sessionId: c.sessionId, status: 'cancelled' });
  });

  it('GET reads a running session from memory and the database catches up within the write interval', async () => {
    stack.scriptModels({ deltas: 40, intervalMs: 10 });
    const c = await create();
    const client = openSse(new URL(c.streamUrl, stack.url).href);
    await client.waitFor((e) => Number(e.id) >= 10);
    const g = await stack.api<Stored>('GET', `/comparison/${c.sessionId}`, { token });
    expect(g.json.status).toBe('in_progress');
    expect(g.json.responses.some((r) => r.status === 'streaming' && r.response.length > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 120)); // past the 50 ms write interval of the test stack
    const stored = stack.app.db.$client
      .prepare('select events from session_event_batches where session_id = ?')
      .all(c.sessionId) as { events: string }[];
    const chunks = stored.flatMap((r) => r.events.split('\n')).filter((l) => l.startsWith('model_chunk '));
    expect(chunks.length).toBeGreaterThanOrEqual(10);
    await client.done;
  });

  it('one model failing mid-stream does not stop the other', async () => {
    stack.scriptModels(
      {
        deltas: 10,
        intervalMs: 5,
        errorAfter: 3,
        error: { type: 'server_error', message: 'The model crashed' },
      },
      { deltas: 10, intervalMs: 5 },
    );
    const c = await create();
    const client = openSse(new URL(c.streamUrl, stack.url).href);
    await client.done;
    const error = client.events.find((e) => e.event === 'model_error');
    expect(error?.data).toMatchObject({ modelId: stack.models.openai.id, error: expect.any(String) });
    expect(client.events.at(-1)?.event).toBe('comparison_complete');
    const g = await stack.api<Stored>('GET', `/comparison/${c.sessionId}`, { token });
    expect(g.json.status).toBe('completed');
    const failed = g.json.responses.find((r) => r.modelId === stack.models.openai.id);
    expect(failed?.status).toBe('error');
    expect(failed?.errorMessage).toBeTruthy();
    expect(failed?.response).toBe(textsByModel(client.events)[stack.models.openai.id]);
    expect(g.json.responses.find((r) => r.modelId === stack.models.anthropic.id)?.status).toBe('completed');
  });

  it('every model failing ends with comparison_error and a failed session', async () => {
    stack.providerServer.respond({ status: 401 });
    const c = await create();
    const client = openSse(new URL(c.streamUrl, stack.url).href);
    await client.done;
    expect(client.events.filter((e) => e.event === 'model_error')).toHaveLength(2);
    expect(client.events.at(-1)?.event).toBe('comparison_error');
    const g = await stack.api<Stored>('GET', `/comparison/${c.sessionId}`, { token });
    expect(g.json.status).toBe('failed');
    expect(g.json.responses.every((r) => r.status === 'error' && r.errorMessage)).toBe(true);
    expect(g.text).not.toMatch(/sk-test|sk-ant/);
  });

  it('answers 429 past MAX_RUNNING_PER_USER before calling any provider', async () => {
    stack.scriptModels({ deltas: 200, intervalMs: 20 });
    const user = stack.token('busy-user');
    const a = await create(user);
    const b = await create(user);
    await stack.providerServer.waitForRequests(4);
    const third = await stack.api('POST', '/comparison', {
      token: user,
      body: { prompt: 'third', modelIds: stack.models.ids },
    });
    expect(third.status).toBe(429);
    expect(third.json).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.any(String),
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(stack.providerServer.requests).toHaveLength(4);
    // Another user is not affected; health counts the running comparisons.
    const other = await create(stack.token('other-user'));
    const health = await stack.api<{ comparisons: { active: number } }>('GET', '/health');
    expect(health.json.comparisons.active).toBe(3);
    for (const c of [a, b, other])
      await stack.api('POST', `/comparison/${c.sessionId}/cancel`, {
        token: c === other ? stack.token('other-user') : user,
      });
    const after = await stack.api('POST', '/comparison', {
      token: user,
      body: { prompt: 'now', modelIds: stack.models.ids },
    });
    expect(after.status).toBe(201);
  });
});

describe('shutdown', () => {
  it('refuses new work with 503, gives running comparisons the grace period, then records them cancelled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-shutdown-'));
    const own = await startStack({
      env: { SHUTDOWN_GRACE_MS: '300', DATABASE_PATH: join(dir, 'db.sqlite') },
    });
    const user = own.token('closing-user');
    own.providerServer.respond((req) =>
      req.model === own.models.openai.upstreamModel
        ? { deltas: 5, intervalMs: 10 }
        : { deltas: 1000, intervalMs: 20 },
    );
    const r = await own.api<Created>('POST', '/comparison', {
      token: user,
      body: { prompt: 'p', modelIds: own.models.ids },
    });
    const client = openSse(new URL(r.json.streamUrl, own.url).href);
    // One model done, the other still running when the shutdown begins, however loaded the machine.
    await client.waitFor((e) => e.event === 'model_complete');
    const startedAt = Date.now();
    const closing = own.app.close();
    const refused = await own.api('POST', '/comparison', {
      token: user,
      body: { prompt: 'late', modelIds: own.models.ids },
    });
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    await closing;
    // The grace period (300 ms) was given before the running model was cancelled.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    const { ended } = await client.done;
    expect(ended).toBe(true);
    const endings = client.events.filter((e) => e.event !== 'model_chunk').map((e) => e.event);
    expect(endings).toEqual(['model_complete', 'model_error', 'comparison_error']);
    expect(
      own.providerServer.requests.find((x) => x.model !== own.models.openai.upstreamModel)?.closedByClient,
    ).toBe(true);
    await own.providerServer.close();
    // What was stored on the way out: cancelled, the finished model kept as completed.
    const { db, close } = openDatabase(join(dir, 'db.sqlite'));
    const session = await createSqliteSessionStore(db).findForUser('closing-user', r.json.sessionId);
    await close();
    rmSync(dir, { recursive: true, force: true });
    expect(session?.session.status).toBe('cancelled');
    expect(session?.responses.map((x) => x.status).sort()).toEqual(['cancelled', 'completed']);
  });
});
