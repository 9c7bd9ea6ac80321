// Text integrity: what is streamed in chunks and what is stored are the same well-formed text.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';
import { createSqliteUserStore } from '../../src/repositories/sqlite/user-store.js';
import type { SessionStore } from '../../src/repositories/types.js';
import { wellFormed, wellFormedChunk } from '../../src/services/text.js';

/** Deltas as the runner turns them into chunks: a carried high surrogate waits for the next delta. */
function chunksOf(deltas: string[]): string[] {
  const chunks: string[] = [];
  let carry = '';
  for (const delta of deltas) {
    const next = wellFormedChunk(carry, delta);
    carry = next.carry;
    if (next.chunk) chunks.push(next.chunk);
  }
  // What is carried at the very end has no pair to wait for.
  if (carry) chunks.push('\uFFFD');
  return chunks;
}

let opened: ReturnType<typeof openDatabase>;
let store: SessionStore;
beforeEach(async () => {
  opened = openDatabase(':memory:');
  await createSqliteUserStore(opened.db).upsert({ id: 'u1', email: null, name: null });
  store = createSqliteSessionStore(opened.db);
  await store.create({
    id: 's1',
    userId: 'u1',
    prompt: 'p',
    responses: [{ id: 'r1', modelId: 'm', provider: 'demo' }],
  });
});
afterEach(() => opened.close());

/** Stores each chunk in its own write, as the progress writer may, and reads the response back. */
async function storedText(chunks: string[]): Promise<string> {
  for (const chunk of chunks)
    await store.persist([
      { sessionId: 's1', events: [], responses: [{ id: 'r1', appendText: chunk, appendReasoning: '' }] },
    ]);
  return (await store.findForUser('u1', 's1'))?.responses[0]?.response ?? '';
}

describe('well-formed chunks', () => {
  it('a surrogate pair split across two deltas stays whole: the stored text equals the joined chunks', async () => {
    const chunks = chunksOf(['Sky ', 'is \uD83D', '\uDE00 blue']);
    expect(chunks).toEqual(['Sky ', 'is ', '😀 blue']);
    const stored = await storedText(chunks);
    expect(stored).toBe('Sky is 😀 blue');
    expect(stored).toBe(chunks.join(''));
  });

  it('without the carry, the store would break the pair: why no chunk may end on half of one', async () => {
    // Each half alone is not text UTF-8 can hold; stored separately they never join again.
    const stored = await storedText(['is \uD83D', '\uDE00 blue']);
    expect(stored).not.toBe('is 😀 blue');
  });

  it('a lone surrogate becomes U+FFFD in the chunk and in the store alike', async () => {
    const chunks = chunksOf(['a\uDE00b', ' c\uD800d', ' end\uD83D']);
    expect(chunks).toEqual(['a\uFFFDb', ' c\uFFFDd', ' end', '\uFFFD']);
    const stored = await storedText(chunks);
    expect(stored).toBe('a\uFFFDb c\uFFFDd end\uFFFD');
    expect(stored).toBe(chunks.join(''));
  });

  it('a delta that is only a high surrogate is held back whole, then joins its pair', () => {
    expect(wellFormedChunk('', '\uD83D')).toEqual({ chunk: '', carry: '\uD83D' });
    expect(wellFormedChunk('\uD83D', '\uDE00')).toEqual({ chunk: '😀', carry: '' });
    expect(wellFormedChunk('\uD83D', 'x')).toEqual({ chunk: '\uFFFDx', carry: '' });
    expect(wellFormedChunk('', '')).toEqual({ chunk: '', carry: '' });
  });

  it('U+0000, which Postgres text cannot hold, is U+FFFD in the chunk and in the store on every engine', async () => {
    const chunks = chunksOf(['nul\u0000here', '\u0000']);
    expect(chunks).toEqual(['nul\uFFFDhere', '\uFFFD']);
    expect(await storedText(chunks)).toBe(chunks.join(''));
    expect(wellFormed('a\u0000b')).toBe('a\uFFFDb');
  });

  it('user input with a lone surrogate reads as the store would keep it', async () => {
    expect(wellFormed('hi \uD83D there 😀')).toBe('hi \uFFFD there 😀');
    expect(await storedText([wellFormed('hi \uD83D')])).toBe('hi \uFFFD');
  });
});
