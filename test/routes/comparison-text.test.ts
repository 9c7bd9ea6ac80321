// Text over real HTTP: an emoji split across two upstream deltas, and a lone surrogate in a prompt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Created, type Stack, startStack } from '../support/comparison-stack.js';
import { openSse, textsByModel } from '../support/sse-client.js';

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = stack.token('text-user');
});
afterAll(async () => {
  await stack?.close();
});

type Stored = { prompt: string; system: string | null; responses: { modelId: string; response: string }[] };

describe('text integrity over HTTP', () => {
  it('an emoji split across two deltas arrives whole, and the stored response equals the joined chunks', async () => {
    // Each wire sends the two halves of one surrogate pair in two separate deltas.
    stack.scriptModels({ deltas: ['Sky ', 'is \uD83D', '\uDE00 blue', ' \uD83C', '\uDF0D'], intervalMs: 5 });
    const r = await stack.api<Created>('POST', '/comparison', {
      token,
      body: { prompt: 'Colour?', modelIds: stack.models.ids },
    });
    expect(r.status).toBe(201);
    const client = openSse(new URL(r.json.streamUrl, stack.url).href);
    expect((await client.done).ended).toBe(true);
    const texts = textsByModel(client.events);
    const chunks = client.events
      .filter((e) => e.event === 'model_chunk')
      .map((e) => (e.data as { chunk: string }).chunk);
    for (const c of chunks) expect(c.isWellFormed()).toBe(true);
    const g = await stack.api<Stored>('GET', `/comparison/${r.json.sessionId}`, { token });
    expect(g.json.responses).toHaveLength(2);
    for (const x of g.json.responses) {
      expect(x.response).toBe('Sky is 😀 blue 🌍');
      expect(texts[x.modelId]).toBe(x.response);
    }
  });

  it('a prompt with a lone surrogate: the 201 echo equals what is stored and read back', async () => {
    stack.scriptModels({ deltas: ['ok'] });
    // JSON.stringify escapes the lone surrogate as \ud83d, so it reaches the server as one.
    const prompt = 'broken \uD83D pair';
    const system = 'be \uDE00 brief';
    const r = await stack.api<Created & { prompt: string }>('POST', '/comparison', {
      token,
      body: { prompt, system, modelIds: stack.models.ids },
    });
    expect(r.status).toBe(201);
    expect(r.json.prompt).toBe('broken \uFFFD pair');
    const client = openSse(new URL(r.json.streamUrl, stack.url).href);
    await client.done;
    const g = await stack.api<Stored>('GET', `/comparison/${r.json.sessionId}`, { token });
    expect(g.json.prompt).toBe(r.json.prompt);
    expect(g.json.system).toBe('be \uFFFD brief');
    const list = await stack.api<{ id: string; prompt: string }[]>('GET', '/comparison', {
      token,
    });
    expect(list.json.find((i) => i.id === r.json.sessionId)?.prompt).toBe(r.json.prompt);
    // What the models were asked is what the user sees stored.
    const asked = stack.providerServer.requests.at(-1)?.body;
    expect(JSON.stringify(asked)).toContain('broken \uFFFD pair');
  });
});
