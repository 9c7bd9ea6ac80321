// The store contracts run against SQLite, plus what only the SQLite implementation promises.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { users } from '../../src/db/schema.js';
import { createSqliteBudgetStore } from '../../src/repositories/sqlite/budget-store.js';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';
import { createSqliteUserStore } from '../../src/repositories/sqlite/user-store.js';
import { createSqliteVoteStore } from '../../src/repositories/sqlite/vote-store.js';
import type { Stores } from '../../src/repositories/types.js';
import { describeSessionStore } from './session-store.contract.js';
import type { StoreHarness } from './store-harness.js';
import { describeUserStore } from './user-store.contract.js';
import { describeVoteStore } from './vote-store.contract.js';

async function sqliteHarness(): Promise<StoreHarness & { opened: ReturnType<typeof openDatabase> }> {
  const opened = openDatabase(':memory:');
  const make = (): Stores => ({
    sessions: createSqliteSessionStore(opened.db),
    users: createSqliteUserStore(opened.db),
    votes: createSqliteVoteStore(opened.db),
  });
  return { opened, stores: make(), reopen: make, close: opened.close };
}

describeSessionStore('SQLite', sqliteHarness);
describeUserStore('SQLite', sqliteHarness);
describeVoteStore('SQLite', sqliteHarness);

describe('SQLite stores', () => {
  let h: Awaited<ReturnType<typeof sqliteHarness>>;
  beforeEach(async () => {
    h = await sqliteHarness();
  });
  afterEach(() => h.close());

  const row = (id: string) =>
    h.opened.db
      .select()
      .from(users)
      .all()
      .find((u) => u.id === id);

  it('stores one row per write of a session’s events, however many events it holds', async () => {
    await h.stores.users.upsert({ id: 'u1', email: null, name: null });
    await h.stores.sessions.create({ id: 's1', userId: 'u1', prompt: 'p', responses: [] });
    const event = (id: number) => ({ id, event: 'model_chunk', data: '{}' });
    await h.stores.sessions.persist([{ sessionId: 's1', events: [1, 2, 3].map(event), responses: [] }]);
    await h.stores.sessions.persist([{ sessionId: 's1', events: [event(4)], responses: [] }]);
    await h.stores.sessions.persist([{ sessionId: 's1', events: [event(5)], responses: [] }]);
    const rows = h.opened.sqlite.prepare('select count(*) as n from session_event_batches').get();
    expect(rows).toEqual({ n: 3 });
  });

  it('stamps a new user and moves updatedAt only on a real change, even from a fresh store', async () => {
    await h.stores.users.upsert({ id: 'u1', email: 'a@example.com', name: 'A' });
    const created = row('u1');
    expect(created?.createdAt).toBeInstanceOf(Date);
    await new Promise((r) => setTimeout(r, 5));
    // A second app on the same database has no memory of the first write; the database guard holds.
    await h.reopen().users.upsert({ id: 'u1', email: 'a@example.com', name: 'A' });
    expect(row('u1')?.updatedAt.getTime()).toBe(created?.updatedAt.getTime());
    await new Promise((r) => setTimeout(r, 5));
    await h.stores.users.upsert({ id: 'u1', email: 'b@example.com', name: 'A' });
    const updated = row('u1');
    expect(updated?.createdAt).toEqual(created?.createdAt);
    expect(updated?.updatedAt.getTime()).toBeGreaterThan(created?.updatedAt.getTime() ?? 0);
    expect(h.opened.db.select().from(users).all()).toHaveLength(1);
  });

  it('reserves a budget and stores its session in one transaction: a 402 stores neither, a failed insert keeps no reservation', async () => {
    const budgets = createSqliteBudgetStore(h.opened.db, { usdPerMonth: 1, unpriced: 'allow' });
    const createSync = h.stores.sessions.createSync;
    if (!budgets.reserveWithin || !createSync) throw new Error('SQLite offers both synchronous halves');
    await h.stores.users.upsert({ id: 'u1', email: null, name: null });
    const session = (id: string, responseId: string) => ({
      id,
      userId: 'u1',
      prompt: 'p',
      responses: [{ id: responseId, modelId: 'm', provider: 'openai' }],
    });
    const count = (table: string) =>
      (h.opened.sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    const now = new Date();
    const item = (responseId: string, maxCost: number) => ({ responseId, modelId: 'm', maxCost });
    const stored = budgets.reserveWithin('u1', [item('r1', 0.6)], now, () => createSync(session('s1', 'r1')));
    expect(stored.id).toBe('s1');
    expect([count('comparison_sessions'), count('budget_ledger')]).toEqual([1, 1]);
    // Over the limit: the 402 comes before the session's rows, and nothing is stored.
    expect(() =>
      budgets.reserveWithin?.('u1', [item('r2', 0.6)], now, () => createSync(session('s2', 'r2'))),
    ).toThrow(/budget/i);
    // The session's insert fails (its id is taken): the reservation made before it is rolled back.
    expect(() =>
      budgets.reserveWithin?.('u1', [item('r3', 0.1)], now, () => createSync(session('s1', 'r3'))),
    ).toThrow();
    expect([count('comparison_sessions'), count('budget_ledger')]).toEqual([1, 1]);
  });
});
