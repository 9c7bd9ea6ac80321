// Follow-up turns over real HTTP: each model receives exactly its own history, as the wire shows it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { openSse } from '../support/sse-client.js';

let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack();
  token = stack.token('conversation-user');
});
afterAll(async () => {
  await stack?.close();
});
beforeEach(() => stack.providerServer.reset());

type Turn = Created & { parentId: string | null; turn: number };

/** Each model answers with its own name and the turn, so every answer is told apart at the wire. */
function answerByModel(turn: number) {
  stack.scriptModels(
    { text: `openai answer ${turn}`, intervalMs: 1 },
    { text: `anthropic answer ${turn}`, intervalMs: 1 },
  );
}

async function watch(created: { streamUrl: string }) {
  return openSse(new URL(created.streamUrl, stack.url).href).done;
}

/** What each wire received as the conversation: [role, text] pairs, system first. */
function received() {
  const byWire: Record<string, [string, string][]> = {};
  for (const r of stack.providerServer.requests) {
    const body = r.body as { messages: { role: string; content: unknown }[]; system?: string };
    const pairs: [string, string][] = [];
    if (body.system) pairs.push(['system', body.system]);
    for (const m of body.messages)
      pairs.push([m.role, typeof m.content === 'string' ? m.content : JSON.stringify(m.content)]);
    byWire[r.wire] = pairs;
  }
  return byWire;
}

describe('POST /comparison/:id/continue', () => {
  it('sends each model the system prompt, the earlier prompts and only its own earlier answers', async () => {
    answerByModel(1);
    const first = await stack.api<Turn>('POST', '/comparison', {
      token,
      body: { prompt: 'First question', system: 'Be brief', modelIds: stack.models.ids },
    });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({ parentId: null, turn: 1 });
    await watch(first.json);

    answerByModel(2);
    stack.providerServer.reset();
    answerByModel(2);
    const second = await stack.api<Turn>('POST', `/comparison/${first.json.sessionId}/continue`, {
      token,
      body: { prompt: 'Second question' },
    });
    expect(second.status, second.text).toBe(201);
    expect(second.json).toMatchObject({ parentId: first.json.sessionId, turn: 2 });
    await watch(second.json);
    expect(received()).toEqual({
      openai: [
        ['system', 'Be brief'],
        ['user', 'First question'],
        ['assistant', 'openai answer 1'],
        ['user', 'Second question'],
      ],
      anthropic: [
        ['system', 'Be brief'],
        ['user', 'First question'],
        ['assistant', 'anthropic answer 1'],
        ['user', 'Second question'],
      ],
    });

    // Turn 3 with the OpenAI model only ("continue with the winner").
    stack.providerServer.reset();
    answerByModel(3);
    const third = await stack.api<Turn>('POST', `/comparison/${second.json.sessionId}/continue`, {
      token,
      body: { prompt: 'Third question', modelIds: [stack.models.openai.id] },
    });
    expect(third.status, third.text).toBe(201);
    expect(third.json.models.map((m) => m.id)).toEqual([stack.models.openai.id]);
    await watch(third.json);
    expect(received()).toEqual({
      openai: [
        ['system', 'Be brief'],
        ['user', 'First question'],
        ['assistant', 'openai answer 1'],
        ['user', 'Second question'],
        ['assistant', 'openai answer 2'],
        ['user', 'Third question'],
      ],
    });

    // The thread, oldest first, from any of its sessions; the history entries carry parentId and turn.
    const g = await stack.api<{ thread: { id: string; turn: number }[]; turn: number }>(
      'GET',
      `/comparison/${second.json.sessionId}`,
      { token },
    );
    expect(g.json.turn).toBe(2);
    expect(g.json.thread.map((t) => [t.id, t.turn])).toEqual([
      [first.json.sessionId, 1],
      [second.json.sessionId, 2],
      [third.json.sessionId, 3],
    ]);
    const list = await stack.api<{ id: string; parentId: string | null; turn: number }[]>(
      'GET',
      '/comparison?limit=3',
      { token },
    );
    expect(list.json.map((e) => [e.id, e.parentId, e.turn])).toEqual([
      [third.json.sessionId, second.json.sessionId, 3],
      [second.json.sessionId, first.json.sessionId, 2],
      [first.json.sessionId, null, 1],
    ]);
  });

  it('leaves a failed answer out of that model’s history and does not continue it unless named', async () => {
    stack.scriptModels(
      { text: 'openai fine', intervalMs: 1 },
      { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'nope' } } },
    );
    const first = await stack.api<Turn>('POST', '/comparison', {
      token,
      body: { prompt: 'Q1', modelIds: stack.models.ids },
    });
    await watch(first.json);
    stack.providerServer.reset();
    answerByModel(2);
    const byDefault = await stack.api<Turn>('POST', `/comparison/${first.json.sessionId}/continue`, {
      token,
      body: { prompt: 'Q2' },
    });
    expect(byDefault.json.models.map((m) => m.id)).toEqual([stack.models.openai.id]);
    await watch(byDefault.json);
    stack.providerServer.reset();
    answerByModel(3);
    const named = await stack.api<Turn>('POST', `/comparison/${first.json.sessionId}/continue`, {
      token,
      body: { prompt: 'Q2 again', modelIds: [stack.models.anthropic.id] },
    });
    expect(named.status, named.text).toBe(201);
    await watch(named.json);
    // No failed answer in between; Anthropic's alternating turns join the two prompts into one user turn.
    expect(received().anthropic).toEqual([['user', 'Q1\n\nQ2 again']]);
  });

  it('answers 409 while the parent runs, 404 for another user, 400 for a model not in it', async () => {
    stack.scriptModels({ deltas: 200, intervalMs: 20 });
    const running = await stack.api<Turn>('POST', '/comparison', {
      token,
      body: { prompt: 'long', modelIds: stack.models.ids },
    });
    const busy = await stack.api<{ code: string }>('POST', `/comparison/${running.json.sessionId}/continue`, {
      token,
      body: { prompt: 'too soon' },
    });
    expect(busy.status).toBe(409);
    expect(busy.json.code).toBe('CONFLICT');
    await stack.api('POST', `/comparison/${running.json.sessionId}/cancel`, { token });
    const other = await stack.api('POST', `/comparison/${running.json.sessionId}/continue`, {
      token: stack.token('someone-else'),
      body: { prompt: 'mine now' },
    });
    expect(other.status).toBe(404);
    const stranger = await stack.api<{ message: string }>(
      'POST',
      `/comparison/${running.json.sessionId}/continue`,
      { token, body: { prompt: 'x', modelIds: ['gpt-4'] } },
    );
    expect(stranger.status).toBe(400);
    expect(stranger.json.message).toMatch(/gpt-4 is not a model of this comparison/);
  });
});
