// Restart recovery on a database file: sessions a dead process left running end as failed, text kept.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionsRepository } from '../../src/repositories/sessions.js';
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

async function stackOn(path: string): Promise<Stack> {
  const s = await startStack({ env: { DATABASE_PATH: path } });
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
    const ids = replay.events.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const finalId = replay.events.at(-1)?.id as string;
    const after = await fetch(`${second.url}/comparison/${r.json.sessionId}/stream`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': finalId },
    });
    expect(after.status).toBe(204);
    expect(second.app.comparisons.activeCount).toBe(0);
  });

  it('a session inserted as running, with text beyond its stored events, keeps the text and replays it', async () => {
    const dir = tempDb();
    const path = join(dir, 'db.sqlite');
    const first = await stackOn(path);
    const token = first.token('inserted-user');
    await first.api('GET', '/auth/me', { token }); // stores the user
    const sessionId = randomUUID();
    const repo = createSessionsRepository(first.app.db);
    const [a, b] = [randomUUID(), randomUUID()];
    repo.create({
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
    repo.persist([
      {
        sessionId,
        events: [{ id: 1, event: 'model_chunk', data: chunk('model-a', 'Partial ') }],
        responses: [{ id: a, appendText: 'Partial answer', status: 'streaming', timeToFirstTokenMs: 40 }],
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
});
