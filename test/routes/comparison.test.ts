// REST routes of comparisons: validation, defaults, ownership, history paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { openSse } from '../support/sse-client.js';

let stack: Stack;
let alice: string;
let bob: string;

beforeAll(async () => {
  stack = await startStack({
    env: { MAX_PROMPT_CHARS: '200', MAX_MODELS_PER_COMPARISON: '3', MAX_RUNNING_PER_USER: '50' },
  });
  stack.providerServer.respond({ deltas: 3, intervalMs: 1 });
  alice = stack.token('alice');
  bob = stack.token('bob');
});
afterAll(async () => {
  await stack?.close();
});

const isEnvelope = (json: unknown, status: number) =>
  expect(json).toEqual({
    statusCode: status,
    error: expect.any(String),
    code: expect.stringMatching(/^[A-Z_]+$/),
    message: expect.any(String),
    timestamp: expect.any(String),
  });

async function runToEnd(prompt: string, token = alice, modelIds = stack.models.ids) {
  const r = await stack.api<Created>('POST', '/comparison', { token, body: { prompt, modelIds } });
  expect(r.status, r.text).toBe(201);
  await openSse(new URL(r.json.streamUrl, stack.url).href).done;
  return r.json;
}

describe('POST /comparison', () => {
  it('answers 201 with the session, its models and a ticket stream URL', async () => {
    const r = await stack.api<Created & { prompt: string }>('POST', '/comparison', {
      token: alice,
      body: {
        prompt: 'Hello',
        modelIds: stack.models.ids,
        system: 'Be brief',
        temperature: 0.2,
        maxTokens: 100,
      },
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ prompt: 'Hello', status: 'in_progress' });
    expect(r.json.models.map((m) => m.id)).toEqual(stack.models.ids);
    expect(r.json.streamUrl).toMatch(new RegExp(`^/comparison/${r.json.sessionId}/stream\\?ticket=st1\\.`));
    await openSse(new URL(r.json.streamUrl, stack.url).href).done;
    const upstream = stack.providerServer.requests.find((x) => x.wire === 'anthropic');
    expect(upstream?.body).toMatchObject({ system: 'Be brief', temperature: 0.2, max_tokens: 100 });
    const g = await stack.api<Record<string, unknown>>('GET', `/comparison/${r.json.sessionId}`, {
      token: alice,
    });
    expect(g.json).toMatchObject({
      system: 'Be brief',
      temperature: 0.2,
      maxTokens: 100,
      status: 'completed',
    });
  });

  it('compares a quick model of each provider when modelIds is omitted', async () => {
    const r = await stack.api<Created>('POST', '/comparison', { token: alice, body: { prompt: 'Defaults' } });
    expect(r.status).toBe(201);
    expect(r.json.models.map((m) => m.id)).toEqual(['gpt-4o-mini', 'claude-haiku-4-5']);
    await openSse(new URL(r.json.streamUrl, stack.url).href).done;
  });

  const bad: [string, unknown, RegExp][] = [
    ['an empty prompt', { prompt: '' }, /prompt/],
    ['a blank prompt', { prompt: '   ' }, /prompt/],
    ['a missing prompt', {}, /prompt/],
    ['a prompt that is not a string', { prompt: 42 }, /prompt/],
    ['a prompt over MAX_PROMPT_CHARS', { prompt: 'a'.repeat(201) }, /prompt/],
    ['an unknown model', { prompt: 'x', modelIds: ['no-such-model'] }, /no-such-model/],
    ['an empty model list', { prompt: 'x', modelIds: [] }, /modelIds/],
    ['a repeated model', { prompt: 'x', modelIds: ['gpt-4o', 'gpt-4o'] }, /modelIds/],
    [
      'more than MAX_MODELS_PER_COMPARISON models',
      { prompt: 'x', modelIds: ['a', 'b', 'c', 'd'] },
      /modelIds/,
    ],
    ['a temperature above 2', { prompt: 'x', temperature: 2.5 }, /temperature/],
    ['a negative temperature', { prompt: 'x', temperature: -0.1 }, /temperature/],
    ['a fractional maxTokens', { prompt: 'x', maxTokens: 1.5 }, /maxTokens/],
    ['a zero maxTokens', { prompt: 'x', maxTokens: 0 }, /maxTokens/],
    ['a huge maxTokens', { prompt: 'x', maxTokens: 10_000_000 }, /maxTokens/],
    ['a system prompt over the cap', { prompt: 'x', system: 's'.repeat(201) }, /system/],
  ];
  it.each(bad)('rejects %s with a 400 envelope', async (_name, body, message) => {
    const before = stack.providerServer.requests.length;
    const r = await stack.api<{ message: string }>('POST', '/comparison', { token: alice, body });
    expect(r.status, r.text).toBe(400);
    isEnvelope(r.json, 400);
    expect(r.json.message).toMatch(message);
    expect(stack.providerServer.requests.length).toBe(before);
  });

  it('rejects malformed JSON and a missing token with envelopes', async () => {
    const res = await fetch(`${stack.url}/comparison`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
      body: '{"prompt": "x",',
    });
    expect(res.status).toBe(400);
    isEnvelope(await res.json(), 400);
    const anon = await stack.api('POST', '/comparison', { body: { prompt: 'x' } });
    expect(anon.status).toBe(401);
    isEnvelope(anon.json, 401);
  });
});

describe('GET /comparison/:id, cancel and stream belong to their owner', () => {
  it('answers 404 to another user and 400 to a malformed id', async () => {
    const c = await runToEnd('mine');
    for (const [method, path] of [
      ['GET', `/comparison/${c.sessionId}`],
      ['GET', `/comparison/${c.sessionId}/stream`],
      ['POST', `/comparison/${c.sessionId}/cancel`],
    ] as const) {
      const r = await stack.api(method, path, { token: bob });
      expect(r.status, `${method} ${path}`).toBe(404);
      isEnvelope(r.json, 404);
    }
    // Alice's ticket does not open the stream for Bob's session, nor Bob's for Alice's.
    const other = await runToEnd('his', bob);
    const ticket = new URL(c.streamUrl, stack.url).searchParams.get('ticket') as string;
    const cross = await stack.api('GET', `/comparison/${other.sessionId}/stream?ticket=${ticket}`);
    expect(cross.status).toBe(401);
    for (const path of [
      '/comparison/not-a-uuid',
      "/comparison/1'%20OR%20'1'='1",
      '/comparison/x/stream',
      '/comparison/x/cancel',
    ]) {
      const r = await stack.api(path.endsWith('cancel') ? 'POST' : 'GET', path, { token: alice });
      expect([400, 404], path).toContain(r.status);
      isEnvelope(r.json, r.status);
    }
    const unknown = await stack.api('GET', '/comparison/00000000-0000-4000-8000-000000000000', {
      token: alice,
    });
    expect(unknown.status).toBe(404);
  });

  it('returns the stored session with responses, metrics and a fresh stream URL', async () => {
    const c = await runToEnd('details');
    const g = await stack.api<Record<string, unknown> & { responses: Record<string, unknown>[] }>(
      'GET',
      `/comparison/${c.sessionId}`,
      { token: alice },
    );
    expect(g.json).toMatchObject({
      id: c.sessionId,
      prompt: 'details',
      status: 'completed',
      metrics: {
        totalTokens: expect.any(Number),
        totalCost: expect.any(Number),
        averageResponseTime: expect.any(Number),
      },
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
      streamUrl: expect.stringContaining('ticket='),
    });
    expect(g.json.responses).toHaveLength(2);
    for (const r of g.json.responses)
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining([
          'id',
          'modelId',
          'provider',
          'response',
          'status',
          'inputTokens',
          'outputTokens',
          'cost',
          'responseTimeMs',
          'timeToFirstTokenMs',
          'errorMessage',
          'createdAt',
        ]),
      );
    const m = g.json.metrics as { totalTokens: number };
    expect(m.totalTokens).toBe(2 * (12 + 3));
  });
});

describe('GET /comparison', () => {
  it('lists the user’s sessions newest first, pages with limit/offset and counts in X-Total-Count', async () => {
    const carol = stack.token('carol');
    const made: string[] = [];
    for (const p of ['one', 'two', 'three'])
      made.push((await runToEnd(p, carol, [stack.models.openai.id])).sessionId);
    const all = await stack.api<{ id: string; prompt: string; models: unknown[] }[]>('GET', '/comparison', {
      token: carol,
    });
    expect(all.status).toBe(200);
    expect(all.headers.get('x-total-count')).toBe('3');
    expect(all.json.map((s) => s.prompt)).toEqual(['three', 'two', 'one']);
    const page = await stack.api<{ id: string }[]>('GET', '/comparison?limit=1&offset=1', { token: carol });
    expect(page.json.map((s) => s.id)).toEqual([made[1]]);
    expect(page.headers.get('x-total-count')).toBe('3');
    const past = await stack.api<unknown[]>('GET', '/comparison?offset=10', { token: carol });
    expect(past.json).toEqual([]);
    const none = await stack.api<unknown[]>('GET', '/comparison', { token: stack.token('dave') });
    expect(none.json).toEqual([]);
    expect(none.headers.get('x-total-count')).toBe('0');
  });

  it.each(['limit=0', 'limit=101', 'limit=1000', 'limit=abc', 'offset=-1', 'offset=1.5'])(
    'rejects %s with 400',
    async (query) => {
      const r = await stack.api('GET', `/comparison?${query}`, { token: alice });
      expect(r.status).toBe(400);
      isEnvelope(r.json, 400);
    },
  );
});
