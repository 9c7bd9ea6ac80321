// The whole app on Postgres (DATABASE_URL): a real comparison through the stream, read back, on two instances.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/pg-client.js';
import { createPostgresStores } from '../../src/repositories/postgres/index.js';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { explainSkip, TEST_DATABASE_URL, throwawayDatabase } from '../support/postgres.js';
import { openSse, textsByModel } from '../support/sse-client.js';

const database = await throwawayDatabase();
const skipped = typeof database === 'string' ? database : undefined;
if (skipped) explainSkip('the app on Postgres', skipped);

describe.skipIf(skipped !== undefined)('the app on Postgres', () => {
  let a: Stack;
  let b: Stack;
  let token: string;
  beforeAll(async () => {
    if (typeof database === 'string') return;
    const env = { DATABASE_URL: database.url, BUDGET_USD_PER_DAY: '5' };
    // Two instances on one database, as behind a reverse proxy.
    a = await startStack({ env });
    b = await startStack({ env });
    token = a.token('pg-user');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (typeof database !== 'string') await database.drop();
  });

  it('streams a comparison, stores it, and another instance reads it back, history, replay and all', async () => {
    a.scriptModels({ deltas: 12, intervalMs: 5 });
    const health = await a.api<{ database: unknown }>('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.json.database).toEqual({ reachable: true, writable: true, problem: null });

    const created = await a.api<Created>('POST', '/comparison', {
      token,
      body: { prompt: 'Explain advisory locks', modelIds: a.models.ids },
    });
    expect(created.status, created.text).toBe(201);
    const c = created.json;
    const client = openSse(new URL(c.streamUrl, a.url).href);
    expect((await client.done).ended).toBe(true);
    expect(client.events.at(-1)?.event).toBe('comparison_complete');
    const texts = textsByModel(client.events);

    // Instance b never ran it: everything comes from Postgres.
    const read = await b.api<{
      status: string;
      prompt: string;
      responses: { modelId: string; response: string; status: string; cost: number | null }[];
    }>('GET', `/comparison/${c.sessionId}`, { token });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ status: 'completed', prompt: 'Explain advisory locks' });
    expect(read.json.responses).toHaveLength(2);
    for (const r of read.json.responses) {
      expect(r.status).toBe('completed');
      expect(r.response.length).toBeGreaterThan(0);
      expect(r.response).toBe(texts[r.modelId]);
    }

    const history = await b.api<{ id: string }[]>('GET', '/comparison?limit=10', { token });
    expect(history.status).toBe(200);
    expect(history.headers.get('x-total-count')).toBe('1');
    expect(JSON.stringify(history.json)).toContain(c.sessionId);

    // A finished session's stream replays from the store, on the instance that never ran it.
    const replay = openSse(`${b.url}/comparison/${c.sessionId}/stream`, { authorization: `Bearer ${token}` });
    expect((await replay.done).ended).toBe(true);
    expect(replay.events.map((e) => e.raw)).toEqual(client.events.map((e) => e.raw));

    // The budget ledger is shared: what a spent shows on b.
    const usage = await b.api<{ day: { spent: number; reserved: number; limit: number } }>(
      'GET',
      '/me/usage',
      {
        token,
      },
    );
    expect(usage.status).toBe(200);
    expect(usage.json.day).toMatchObject({ reserved: 0, limit: 5 });
    expect(usage.json.day.spent).toBeGreaterThan(0);

    // Votes and share links go through the Postgres stores too.
    const modelId = read.json.responses[0]?.modelId;
    const vote = await b.api('POST', `/comparison/${c.sessionId}/vote`, { token, body: { choice: modelId } });
    expect(vote.status, vote.text).toBe(200);
    const share = await a.api<{ shareId: string }>('POST', `/comparison/${c.sessionId}/share`, { token });
    expect(share.status, share.text).toBe(201);
    const shared = await b.api<{ prompt: string }>('GET', `/shared/${share.json.shareId}`);
    expect(shared.status).toBe(200);
    expect(shared.json.prompt).toBe('Explain advisory locks');
  });

  it('a server that turns read-only: /health 503 and writes answer the 503 envelope; dropped connections come back', async () => {
    if (typeof database === 'string') return;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    // New sessions of the test database start read-only (as on a standby); existing ones are cut.
    const cut = async () => {
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [
        database.name,
      ]);
      // The pools drop their idle connections once the server's notice of the cut reaches them.
      await new Promise((resolve) => setTimeout(resolve, 200));
    };
    try {
      await admin.query(`alter database ${database.name} set default_transaction_read_only = on`);
      await cut();
      const health = await a.api<{ status: string; database: unknown }>('GET', '/health');
      expect(health.status).toBe(503);
      expect(health.json).toMatchObject({
        status: 'degraded',
        database: { reachable: true, writable: false, problem: 'the database is read-only' },
      });
      const me = await a.api('GET', '/auth/me', { token: a.token('never-seen-on-pg') });
      expect(me.status).toBe(503);
      expect(me.json).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'STORAGE_UNAVAILABLE',
        message: 'The database is unavailable; try again shortly',
        timestamp: expect.any(String),
      });
      expect(a.logs.text()).toContain('"pgCode":"25006"');
    } finally {
      await admin.query(`alter database ${database.name} reset default_transaction_read_only`);
      await cut();
      await admin.end();
    }
    // The pools reconnect on their own after their connections were cut.
    expect((await a.api('GET', '/health')).status).toBe(200);
    const me = await b.api('GET', '/auth/me', { token: a.token('seen-after-recovery') });
    expect(me.status).toBe(200);
  });

  it('an instance starting while another runs a comparison leaves that comparison alone', async () => {
    a.scriptModels({ deltas: 40, intervalMs: 25 });
    const created = await a.api<Created>('POST', '/comparison', {
      token,
      body: { prompt: 'Still running', modelIds: a.models.ids },
    });
    expect(created.status, created.text).toBe(201);
    const c = created.json;
    const client = openSse(new URL(c.streamUrl, a.url).href);
    await client.waitFor((e) => e.event === 'model_chunk');
    // A rolling deploy: a new instance starts (and runs its start-up recovery) mid-comparison.
    const joining = await startStack({
      env: { DATABASE_URL: typeof database === 'string' ? '' : database.url },
    });
    try {
      expect((await client.done).ended).toBe(true);
      expect(client.events.at(-1)?.event).toBe('comparison_complete');
      const read = await joining.api<{ status: string }>('GET', `/comparison/${c.sessionId}`, { token });
      expect(read.json.status).toBe('completed');
      // What the store holds is the run's own events alone: no recovery endings were added to it.
      const replay = openSse(`${joining.url}/comparison/${c.sessionId}/stream`, {
        authorization: `Bearer ${token}`,
      });
      expect((await replay.done).ended).toBe(true);
      expect(replay.events.map((e) => e.raw)).toEqual(client.events.map((e) => e.raw));
    } finally {
      await joining.close();
    }
  });

  it('a restarted instance ends the sessions a dead one left running, partial text kept', async () => {
    if (typeof database === 'string') return;
    // What a process that died mid-run left behind, written through the stores as it would have.
    const dead = await openPostgres(database.url);
    const stores = createPostgresStores(dead.db, { budgets: { unpriced: 'deny' } });
    await stores.users.upsert({ id: 'pg-user', email: null, name: null });
    const modelId = a.models.openai.id;
    const sessionId = randomUUID();
    await stores.sessions.create({
      id: sessionId,
      userId: 'pg-user',
      prompt: 'Interrupted',
      responses: [{ id: `${sessionId}-r1`, modelId, provider: 'openai' }],
    });
    await stores.sessions.persist([
      {
        sessionId,
        events: [
          {
            id: 1,
            event: 'model_chunk',
            data: JSON.stringify({
              sessionId,
              modelId,
              chunk: 'Half an ans',
              timestamp: 'x',
            }),
          },
        ],
        responses: [
          { id: `${sessionId}-r1`, appendText: 'Half an ans', appendReasoning: '', status: 'streaming' },
        ],
      },
    ]);
    await dead.close();

    const restarted = await startStack({ env: { DATABASE_URL: database.url } });
    try {
      const read = await restarted.api<{
        status: string;
        responses: { response: string; status: string; errorMessage: string | null }[];
      }>('GET', `/comparison/${sessionId}`, { token });
      expect(read.status).toBe(200);
      expect(read.json.status).toBe('failed');
      expect(read.json.responses[0]).toMatchObject({ response: 'Half an ans', status: 'error' });
      const replay = openSse(`${restarted.url}/comparison/${sessionId}/stream`, {
        authorization: `Bearer ${token}`,
      });
      expect((await replay.done).ended).toBe(true);
      expect(replay.events.at(-1)?.event).toBe('comparison_error');
    } finally {
      await restarted.close();
    }
  });
});
