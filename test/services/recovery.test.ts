// Restart recovery on a database file: sessions a dead process left running end as failed, text kept.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';
import { MAX_UNSTORED_EVENTS } from '../../src/services/event-log.js';
import { INTERRUPTED_MODEL, INTERRUPTED_SESSION } from '../../src/services/recovery.js';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { openSse, textsByModel } from '../support/sse-client.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'sessions-recovery-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function stackOn(path: string, flushIntervalMs?: number): Promise<Stack> {
  const s = await startStack({
    env: { DATABASE_PATH: path },
    sessions: flushIntervalMs ? { flushIntervalMs } : {},
  });
  cleanups.push(() => s.close());
  return s;
}

type Stored = {
  status: string;
  errorMessage: string | null;
  responses: { modelId: string; response: string; status: string; errorMessage: string | null }[];
};

describe('start-up recovery', () => {
  it('a process that died mid-run leaves a failed session whose replay matches the kept text', async () => {
    const dir = tempDb();
    const first = await stackOn(join(dir, 'live.sqlite'));
    const token = first.token('crash-user');
    first.providerServer.respond((req) =>
      req.model === first.models.openai.upstreamModel
        ? { deltas: 3, intervalMs: 5 }
        : { deltas: 5, intervalMs: 5, hangAfter: 4 },
    );
    const r = await first.api<Created>('POST', '/comparison', {
      token,
      body: { prompt: 'crash', modelIds: first.models.ids },
    });
    const client = openSse(new URL(r.json.streamUrl, first.url).href);
    await client.waitFor((e) => e.event === 'model_complete');
    await client.waitFor((e) => (e.data as { chunk?: string }).chunk === 'w3 ');
    await new Promise((resolve) => setTimeout(resolve, 200)); // at least one write interval
    // The database file as a killed process leaves it: a consistent snapshot taken mid-run.
    const snapshot = join(dir, 'crashed.sqlite');
    await first.app.db.$client.backup(snapshot);
    client.close();

    const second = await stackOn(snapshot);
    const g = await second.api<Stored>('GET', `/comparison/${r.json.sessionId}`, { token });
    expect(g.json.status).toBe('failed');
    expect(g.json.errorMessage).toBe(INTERRUPTED_SESSION);
    const byModel = Object.fromEntries(g.json.responses.map((x) => [x.modelId, x]));
    expect(byModel[first.models.openai.id]?.status).toBe('completed');
    expect(byModel[first.models.anthropic.id]).toMatchObject({
      status: 'error',
      errorMessage: INTERRUPTED_MODEL,
      response: 'w0 w1 w2 w3 ',
    });
    const replay = openSse(`${second.url}/comparison/${r.json.sessionId}/stream`, {
      authorization: `Bearer ${token}`,
    });
    expect((await replay.done).ended).toBe(true);
    const texts = textsByModel(replay.events);
    for (const x of g.json.responses) expect(texts[x.modelId]).toBe(x.response);
    expect(replay.events.map((e) => e.event).slice(-2)).toEqual(['model_error', 'comparison_error']);
    // The stored events keep their ids 1, 2, ...; the recovered endings come past every id a client
    // could have seen (at most MAX_UNSTORED_EVENTS beyond the stored ones), so no id names two events.
    const ids = replay.events.map((e) => Number(e.id));
    const recovered = ids.findIndex((id, i) => id !== i + 1);
    expect(recovered).toBeGreaterThan(0);
    expect(ids.slice(recovered)).toEqual(
      ids.slice(recovered).map((_, i) => recovered + MAX_UNSTORED_EVENTS + 1 + i),
    );
    expect(
      replay.events
        .slice(recovered)
        .map((e) => e.event)
        .at(-1),
    ).toBe('comparison_error');
    const finalId = replay.events.at(-1)?.id as string;
    const after = await fetch(`${second.url}/comparison/${r.json.sessionId}/stream`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': finalId },
    });
    expect(after.status).toBe(204);
    expect(second.app.comparisons.activeCount).toBe(0);

    // Money: the interrupted model's cost is estimated from its text (the provider charged for it),
    // and no reservation of the dead process is left holding budget.
    const ending = replay.events.find((e) => e.event === 'model_error')?.data as {
      metrics: { cost: number | null; costSource: string; outputTokens: number };
    };
    expect(ending.metrics).toMatchObject({ costSource: 'estimated' });
    expect(ending.metrics.cost).toBeGreaterThan(0);
    expect(ending.metrics.outputTokens).toBeGreaterThan(0);
    const costs = await second.api<{ responses: { cost: number | null }[] }>(
      'GET',
      `/comparison/${r.json.sessionId}`,
      { token },
    );
    const usage = await second.api<{ day: { spent: number; reserved: number } }>('GET', '/me/usage', {
      token,
    });
    expect(usage.json.day.reserved).toBe(0);
    expect(usage.json.day.spent).toBeCloseTo(
      costs.json.responses.reduce((sum, x) => sum + (x.cost ?? 0), 0),
      9,
    );
  });

  it('a session inserted as running, with text beyond its stored events, keeps the text and replays it', async () => {
    const dir = tempDb();
    const path = join(dir, 'db.sqlite');
    const first = await stackOn(path);
    const token = first.token('inserted-user');
    await first.api('GET', '/auth/me', { token }); // stores the user
    const sessionId = randomUUID();
    const store = createSqliteSessionStore(first.app.db);
    const [a, b] = [randomUUID(), randomUUID()];
    await store.create({
      id: sessionId,
      userId: 'inserted-user',
      prompt: 'left running',
      responses: [
        { id: a, modelId: 'model-a', provider: 'openai' },
        { id: b, modelId: 'model-b', provider: 'anthropic' },
      ],
    });
    const chunk = (modelId: string, text: string) =>
      JSON.stringify({ sessionId, modelId, chunk: text, timestamp: new Date().toISOString() });
    await store.persist([
      {
        sessionId,
        events: [{ id: 1, event: 'model_chunk', data: chunk('model-a', 'Partial ') }],
        responses: [{ id: a, appendText: 'Partial answer', appendReasoning: '', status: 'streaming' }],
      },
    ]);
    await first.close();
    cleanups.pop();

    const second = await stackOn(path);
    const g = await second.api<Stored>('GET', `/comparison/${sessionId}`, { token });
    expect(g.json.status).toBe('failed');
    expect(g.json.responses.map((x) => [x.modelId, x.status, x.response])).toEqual([
      ['model-a', 'error', 'Partial answer'],
      ['model-b', 'error', ''],
    ]);
    const replay = openSse(`${second.url}/comparison/${sessionId}/stream`, {
      authorization: `Bearer ${token}`,
    });
    await replay.done;
    expect(textsByModel(replay.events)).toEqual({ 'model-a': 'Partial answer' });
    expect(replay.events.map((e) => e.event)).toEqual([
      'model_chunk',
      'model_chunk',
      'model_error',
      'model_error',
      'comparison_error',
    ]);
    const list = await second.api<{ id: string; status: string }[]>('GET', '/comparison', { token });
    expect(list.json).toEqual([expect.objectContaining({ id: sessionId, status: 'failed' })]);
  });

  it('after a crash, the endings come past any id a client saw, and a client resuming from an unstored id gets them', async () => {
    const dir = tempDb();
    // Writes only on an ending: chunks streamed after one stay unstored, though clients see them.
    const first = await stackOn(join(dir, 'live.sqlite'), 60_000);
    const token = first.token('unstored-user');
    first.providerServer.respond((req) =>
      req.model === first.models.openai.upstreamModel
        ? { deltas: 2, intervalMs: 5 }
        : { deltas: 40, intervalMs: 5, hangAfter: 20 },
    );
    const r = await first.api<Created>('POST', '/comparison', {
      token,
      body: { prompt: 'crash unstored', modelIds: first.models.ids },
    });
    const client = openSse(new URL(r.json.streamUrl, first.url).href);
    await client.waitFor((e) => e.event === 'model_complete');
    await client.waitFor((e) => (e.data as { chunk?: string }).chunk === 'w19 ');
    const seen = Math.max(...client.events.map((e) => Number(e.id)));
    const storedBefore = await first.app.stores.sessions.eventsAfter(r.json.sessionId, 0);
    const lastStored = storedBefore.at(-1)?.id ?? 0;
    // The client has seen ids the store never got.
    expect(seen).toBeGreaterThan(lastStored);
    const snapshot = join(dir, 'crashed.sqlite');
    await first.app.db.$client.backup(snapshot);
    client.close();

    const second = await stackOn(snapshot);
    const resumed = openSse(`${second.url}/comparison/${r.json.sessionId}/stream`, {
      authorization: `Bearer ${token}`,
      'last-event-id': String(seen),
    });
    expect(await resumed.status).toBe(200);
    expect((await resumed.done).ended).toBe(true);
    expect(resumed.events.map((e) => e.event)).toEqual(['model_error', 'comparison_error']);
    expect(resumed.events[0]?.data).toMatchObject({
      modelId: first.models.anthropic.id,
      error: INTERRUPTED_MODEL,
    });
    for (const e of resumed.events) {
      expect(Number(e.id)).toBeGreaterThan(seen);
      expect(Number(e.id)).toBeGreaterThan(lastStored + MAX_UNSTORED_EVENTS);
    }
    // Resuming from the final event: nothing more.
    const after = await fetch(`${second.url}/comparison/${r.json.sessionId}/stream`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': resumed.events.at(-1)?.id as string },
    });
    expect(after.status).toBe(204);
  });
});
