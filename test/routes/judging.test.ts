// Judging over real HTTP: a blind comparison names no model anywhere until the vote; the vote rules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/comparison-stack.js';
import { openSse } from '../support/sse-client.js';

const dir = mkdtempSync(join(tmpdir(), 'playground-judging-'));
let stack: Stack;
let token: string;
const ENDPOINT_MODEL = 'localai/qwen-lite';

beforeAll(async () => {
  // A third model from an operator's OpenAI-compatible endpoint: the loopback server's OpenAI wire.
  const { startProviderServer } = await import('../support/provider-server.js');
  const providerServer = await startProviderServer();
  const file = join(dir, 'models.yaml');
  writeFileSync(
    file,
    `endpoints:\n  - id: localai\n    name: LocalAI box\n    baseURL: ${providerServer.openaiBaseURL}\n    models:\n      - id: qwen-lite\n        name: Qwen Lite\n        pricing: { inputPerMillion: 0.1, outputPerMillion: 0.2 }\n`,
  );
  stack = await startStack({ providerServer, env: { MODELS_FILE: file, MAX_RUNNING_PER_USER: '10' } });
  token = stack.token('judge-user');
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  stack.providerServer.reset();
  stack.providerServer.respond({ deltas: 6, intervalMs: 2 });
});

type Created = { sessionId: string; streamUrl: string; models: { id: string }[] };

async function run(body: Record<string, unknown>, as = token) {
  const r = await stack.api<Created>('POST', '/comparison', {
    token: as,
    body: { prompt: 'Which is best?', ...body },
  });
  expect(r.status, r.text).toBe(201);
  const sse = openSse(new URL(r.json.streamUrl, stack.url).href);
  await sse.done;
  return { created: r, sse };
}

describe('a blind comparison', () => {
  it('names no model, provider or vendor in anything its user can read until the vote reveals them', async () => {
    const ids = [stack.models.openai.id, stack.models.anthropic.id, ENDPOINT_MODEL];
    const { created, sse } = await run({ modelIds: ids, blind: true });
    const get = await stack.api('GET', `/comparison/${created.json.sessionId}`, { token });
    const history = await stack.api('GET', '/comparison?limit=5', { token });
    const usage = await stack.api('GET', '/me/usage', { token });
    expect(usage.status).toBe(200);
    const readable = [created.text, ...sse.events.map((e) => e.raw), get.text, history.text, usage.text].join(
      '\n',
    );
    const names = [
      ...ids,
      stack.models.openai.name,
      stack.models.anthropic.name,
      'Qwen Lite',
      'openai',
      'anthropic',
      'localai',
      'LocalAI',
      'OpenAI',
      'Anthropic',
      'GPT',
      'Claude',
    ];
    for (const name of names) expect(readable.toLowerCase(), name).not.toContain(name.toLowerCase());
    expect(created.json.models.map((m) => m.id)).toEqual(['A', 'B', 'C']);
    expect(sse.events.at(-1)?.event).toBe('comparison_complete');

    const vote = await stack.api<{ reveal: { slot: string; modelId: string; name: string }[] }>(
      'POST',
      `/comparison/${created.json.sessionId}/vote`,
      { token, body: { choice: 'B', reason: 'clearer' } },
    );
    expect(vote.status, vote.text).toBe(200);
    expect(vote.json.reveal.map((r) => r.slot)).toEqual(['A', 'B', 'C']);
    expect(vote.json.reveal.map((r) => r.modelId).sort()).toEqual([...ids].sort());
    // After the reveal every read names the models again, with their figures.
    const after = await stack.api<{
      responses: { modelId: string; provider: string; cost: number }[];
      metrics: unknown;
    }>('GET', `/comparison/${created.json.sessionId}`, { token });
    expect(after.json.responses.map((r) => r.modelId).sort()).toEqual([...ids].sort());
    expect(after.json.metrics).not.toBeNull();
    const usageAfter = await stack.api<{ byModel: { modelId: string }[] }>('GET', '/me/usage', { token });
    expect(usageAfter.json.byModel.map((m) => m.modelId)).toEqual(expect.arrayContaining(ids));
    const replay = openSse(new URL(created.json.streamUrl, stack.url).href);
    await replay.done;
    expect(replay.events.map((e) => e.raw).join('')).toContain(stack.models.anthropic.id);
    // One vote only.
    const again = await stack.api('POST', `/comparison/${created.json.sessionId}/vote`, {
      token,
      body: { choice: 'A' },
    });
    expect(again.status).toBe(409);
  });

  it('draws two different models when none are named', async () => {
    const { created } = await run({ blind: true });
    const reveal = await stack.api<{ reveal: { modelId: string }[] }>(
      'POST',
      `/comparison/${created.json.sessionId}/reveal`,
      { token },
    );
    expect(reveal.status).toBe(200);
    const drawn = reveal.json.reveal.map((r) => r.modelId);
    expect(new Set(drawn).size).toBe(2);
  });
});

describe('votes and leaderboards', () => {
  it('409 while running, 400 for a failed model, re-votes count once, another user gets 404', async () => {
    stack.providerServer.respond({ deltas: 300, intervalMs: 20 });
    const running = await stack.api<Created>('POST', '/comparison', {
      token,
      body: { prompt: 'slow', modelIds: stack.models.ids },
    });
    const early = await stack.api<{ code: string }>('POST', `/comparison/${running.json.sessionId}/vote`, {
      token,
      body: { choice: 'tie' },
    });
    expect(early.status).toBe(409);
    await stack.api('POST', `/comparison/${running.json.sessionId}/cancel`, { token });

    stack.scriptModels({ deltas: 4, intervalMs: 1 }, { status: 500 });
    const { created } = await run({ modelIds: stack.models.ids });
    const failed = await stack.api<{ message: string }>(
      'POST',
      `/comparison/${created.json.sessionId}/vote`,
      {
        token,
        body: { choice: stack.models.anthropic.id },
      },
    );
    expect(failed.status).toBe(400);
    expect(failed.json.message).toMatch(/did not complete/);
    const other = await stack.api('POST', `/comparison/${created.json.sessionId}/vote`, {
      token: stack.token('stranger'),
      body: { choice: 'tie' },
    });
    expect(other.status).toBe(404);

    stack.providerServer.respond({ deltas: 4, intervalMs: 1 });
    const named = await run({ modelIds: stack.models.ids });
    const id = named.created.json.sessionId;
    for (const choice of [stack.models.anthropic.id, stack.models.openai.id]) {
      const v = await stack.api<{ reveal: unknown }>('POST', `/comparison/${id}/vote`, {
        token,
        body: { choice },
      });
      expect(v.status).toBe(200);
      expect(v.json.reveal).toBeNull();
    }
    type Board = {
      votes: number;
      models: { modelId: string; wins: number; losses: number; rating: number }[];
    };
    const board = await stack.api<Board>('GET', '/leaderboard?scope=me&mode=all', { token });
    expect(board.status).toBe(200);
    const openai = board.json.models.find((m) => m.modelId === stack.models.openai.id);
    const anthropic = board.json.models.find((m) => m.modelId === stack.models.anthropic.id);
    // The last vote counts: OpenAI won the named session once; the blind vote for B counted too.
    expect(openai?.wins).toBeGreaterThanOrEqual(1);
    expect(anthropic).toBeDefined();
    const all = await stack.api('GET', '/leaderboard?scope=all&mode=blind', { token });
    expect(all.status).toBe(200);
    expect(all.text).not.toContain('judge-user');
    expect(all.text).not.toContain('Which is best');

    const exported = await fetch(`${stack.url}/votes/export`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(exported.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await exported.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const mine = lines.filter((l) => l.question_id === id);
    expect(mine).toEqual([
      expect.objectContaining({
        model_a: stack.models.openai.id,
        model_b: stack.models.anthropic.id,
        winner: 'model_a',
        anony: false,
      }),
    ]);
    const stranger = await stack.api<Board>('GET', '/leaderboard', { token: stack.token('stranger') });
    expect(stranger.json.votes).toBe(0);
  });
});
