// Judging over real HTTP, the edges: concurrent blind votes, leaks in names the catalogue lacks or in reasoning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/comparison-stack.js';
import { startProviderServer } from '../support/provider-server.js';
import { openSse } from '../support/sse-client.js';

const dir = mkdtempSync(join(tmpdir(), 'playground-votes-'));
let stack: Stack;
const ENDPOINT_MODEL = 'box/falcon-nine';

beforeAll(async () => {
  const providerServer = await startProviderServer();
  const file = join(dir, 'models.yaml');
  writeFileSync(
    file,
    `endpoints:\n  - id: box\n    name: Box on the desk\n    baseURL: ${providerServer.openaiBaseURL}\n    models:\n      - id: falcon-nine\n        name: Falcon Nine\n        pricing: { inputPerMillion: 0, outputPerMillion: 0 }\n`,
  );
  stack = await startStack({ providerServer, env: { MODELS_FILE: file, MAX_RUNNING_PER_USER: '10' } });
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  stack.providerServer.reset();
  stack.providerServer.respond({ text: 'Paris is the capital of France.', deltas: 4, intervalMs: 1 });
});

type Created = { sessionId: string; streamUrl: string };
type Board = { votes: number; models: { modelId: string; battles: number }[] };

async function run(token: string, body: Record<string, unknown>) {
  const r = await stack.api<Created>('POST', '/comparison', {
    token,
    body: { prompt: 'What is the capital of France?', ...body },
  });
  expect(r.status, r.text).toBe(201);
  await openSse(new URL(r.json.streamUrl, stack.url).href).done;
  return r.json.sessionId;
}

const vote = (token: string, id: string, choice: string) =>
  stack.api<{ reveal: { slot: string; modelId: string }[] | null }>('POST', `/comparison/${id}/vote`, {
    token,
    body: { choice },
  });

async function blindVotes(token: string) {
  const r = await stack.api<Board>('GET', '/leaderboard?mode=blind', { token });
  expect(r.status).toBe(200);
  return r.json.votes;
}

async function exported(token: string) {
  const res = await fetch(`${stack.url}/votes/export`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { question_id: string; anony: boolean });
}

describe('blind votes', () => {
  it('two votes sent at once on one blind session: exactly one counts, the other is 409', async () => {
    const token = stack.token('racer');
    const id = await run(token, { modelIds: stack.models.ids, blind: true });
    const answers = await Promise.all([vote(token, id, 'A'), vote(token, id, 'B'), vote(token, id, 'tie')]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    expect(await blindVotes(token)).toBe(1);
    expect((await exported(token)).filter((l) => l.question_id === id)).toHaveLength(1);
  });

  it('an answer naming an endpoint model the built-in catalogue lacks is leaked: out of the blind board, not anony', async () => {
    const token = stack.token('leak-by-name');
    stack.providerServer.respond((req) =>
      req.model === 'falcon-nine'
        ? { text: 'Hello! I am Falcon Nine, and the capital is Paris.', deltas: 4 }
        : { text: 'The capital of France is Paris.', deltas: 4 },
    );
    const leaked = await run(token, { modelIds: [stack.models.openai.id, ENDPOINT_MODEL], blind: true });
    expect((await vote(token, leaked, 'A')).status).toBe(200);
    expect(await blindVotes(token)).toBe(0);
    const all = await stack.api<Board>('GET', '/leaderboard?mode=all', { token });
    expect(all.json.votes).toBe(1);
    expect((await exported(token)).every((l) => !l.anony)).toBe(true);

    stack.providerServer.respond({ text: 'Paris.', deltas: 2 });
    const clean = await run(token, { modelIds: [stack.models.openai.id, ENDPOINT_MODEL], blind: true });
    expect((await vote(token, clean, 'tie')).status).toBe(200);
    expect(await blindVotes(token)).toBe(1);
    expect((await exported(token)).find((l) => l.question_id === clean)?.anony).toBe(true);
  });

  it('reasoning the user read that names the vendor makes the vote leaked too', async () => {
    const token = stack.token('leak-by-reasoning');
    stack.scriptModels(
      { text: 'Paris.', deltas: 2 },
      { text: 'Paris.', deltas: 2, thinking: 'As Claude, I should answer briefly.' },
    );
    const id = await run(token, { modelIds: stack.models.ids, blind: true });
    expect((await vote(token, id, 'tie')).status).toBe(200);
    expect(await blindVotes(token)).toBe(0);
  });

  it('a reveal without a vote makes later votes named and re-votable; the leaderboard follows each vote', async () => {
    const token = stack.token('revealer');
    const id = await run(token, { modelIds: stack.models.ids, blind: true });
    const revealed = await stack.api<{ reveal: { slot: string; modelId: string }[] }>(
      'POST',
      `/comparison/${id}/reveal`,
      { token },
    );
    expect(revealed.status).toBe(200);
    expect(revealed.json.reveal.map((r) => r.modelId).sort()).toEqual([...stack.models.ids].sort());
    // Slots are no longer choices: the session is named now.
    expect((await vote(token, id, 'A')).status).toBe(400);
    const first = await vote(token, id, stack.models.openai.id);
    expect(first.status).toBe(200);
    // Still a blind session (revealed): the answer lists its slots again.
    expect(first.json.reveal).toHaveLength(2);
    const before = await stack.api<Board>('GET', '/leaderboard', { token });
    expect(before.json.votes).toBe(1);
    expect(await blindVotes(token)).toBe(0);
    expect((await vote(token, id, 'all_bad')).status).toBe(200);
    const after = await stack.api<{ models: { modelId: string; allBad: number }[] }>('GET', '/leaderboard', {
      token,
    });
    expect(after.json.models.every((m) => m.allBad > 0)).toBe(true);
  });
});
