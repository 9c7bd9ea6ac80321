// The store contracts against real Postgres (a throwaway database), plus what only the Postgres engine promises.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/pg-client.js';
import { createPostgresStores } from '../../src/repositories/postgres/index.js';
import type { EngineStores } from '../../src/repositories/types.js';
import type { BudgetLimits } from '../../src/services/budget.js';
import { explainSkip, throwawayDatabase } from '../support/postgres.js';
import { sharesStoreContract } from '../support/shares-store-contract.js';
import { describeBudgetStore } from './budget-store.contract.js';
import { describeSessionStore } from './session-store.contract.js';
import type { StoreHarness } from './store-harness.js';
import { describeUserStore } from './user-store.contract.js';
import { describeVoteStore } from './vote-store.contract.js';

const database = await throwawayDatabase();
const skipped = typeof database === 'string' ? database : undefined;
if (skipped) explainSkip('Postgres stores', skipped);

type Opened = Awaited<ReturnType<typeof openPostgres>>;
/** Two pools on one database: two app instances. */
let first: Opened;
let second: Opened;
const noLimits: BudgetLimits = { unpriced: 'deny' };
/** Stores of an instance; with `locks` as the app wires them, without (SQLite's semantics) for the contracts. */
const storesOf = (opened: Opened, budgets: BudgetLimits = noLimits, locks?: Opened['locks']): EngineStores =>
  createPostgresStores(opened.db, { budgets }, locks);

/** Every test starts on empty tables (one database per file: CREATE DATABASE per test would be slow). */
async function emptyTables() {
  await first.pool.query(
    'truncate users, comparison_sessions, model_responses, session_event_batches, budget_ledger, shares, votes restart identity cascade',
  );
}

async function postgresHarness(): Promise<StoreHarness> {
  await emptyTables();
  return { stores: storesOf(first), reopen: () => storesOf(second), close: async () => {} };
}

describe.skipIf(skipped !== undefined)('Postgres', () => {
  beforeAll(async () => {
    if (typeof database === 'string') return;
    // Both at once on a fresh database: the advisory lock lets one migrate while the other waits.
    [first, second] = await Promise.all([openPostgres(database.url), openPostgres(database.url)]);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    if (typeof database !== 'string') await database.drop();
  });

  describeSessionStore('Postgres', postgresHarness);
  describeUserStore('Postgres', postgresHarness);
  describeVoteStore('Postgres', postgresHarness);

  describeBudgetStore('Postgres', async (limits) => {
    await emptyTables();
    const ledger = async () => {
      const { rows } = await first.pool.query<{ rows: number; nano: number }>(
        'select count(*)::int as rows, coalesce(sum(reserved_nano), 0)::float8 as nano from budget_ledger',
      );
      return rows[0] ?? { rows: 0, nano: 0 };
    };
    return { budgets: storesOf(first, limits).budgets, ledger };
  });

  sharesStoreContract('Postgres', async () => {
    await emptyTables();
    const stores = storesOf(first);
    const sessionOf = async (userId: string) => {
      await stores.users.upsert({ id: userId, email: `${userId}@example.com`, name: null });
      const sessionId = randomUUID();
      await stores.sessions.create({ id: sessionId, userId, prompt: 'p', responses: [] });
      return { userId, sessionId };
    };
    return { store: stores.shares, owner: await sessionOf('owner'), other: await sessionOf('other') };
  });

  describe('Postgres only', () => {
    beforeEach(emptyTables);

    it('two instances reserving for one user at once never overspend (advisory lock per user)', async () => {
      const limits: BudgetLimits = { usdPerDay: 1, unpriced: 'deny' };
      const a = storesOf(first, limits).budgets;
      const b = storesOf(second, limits).budgets;
      const now = new Date('2026-12-01T12:00:00Z');
      let n = 0;
      const reserve = (store: typeof a) =>
        store.reserve('alice', [{ responseId: `r${++n}`, modelId: 'gpt-4o', maxCost: 0.15 }], now);
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => reserve(i % 2 ? a : b)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const r of refused) expect(r.reason).toMatchObject({ statusCode: 402 });
      expect((await b.usage('alice', now)).day).toMatchObject({ reserved: 0.9, remaining: 0.1 });
      // Another user is not held up by alice's lock, and has a budget of their own.
      await expect(reserve(a).then(() => 'alice')).rejects.toMatchObject({ statusCode: 402 });
      await expect(
        a.reserve('bob', [{ responseId: 'bob-1', modelId: 'gpt-4o', maxCost: 1 }], now),
      ).resolves.toBeUndefined();
    });

    it('stamps a new user and moves updatedAt only on a real change, even from a second instance', async () => {
      const row = async () =>
        (
          await first.pool.query<{ created_at: Date; updated_at: Date }>(
            "select created_at, updated_at from users where id = 'u1'",
          )
        ).rows[0];
      await storesOf(first).users.upsert({ id: 'u1', email: 'a@example.com', name: 'A' });
      const created = await row();
      expect(created?.created_at).toBeInstanceOf(Date);
      await new Promise((r) => setTimeout(r, 5));
      await storesOf(second).users.upsert({ id: 'u1', email: 'a@example.com', name: 'A' });
      expect((await row())?.updated_at.getTime()).toBe(created?.updated_at.getTime());
      await new Promise((r) => setTimeout(r, 5));
      await storesOf(second).users.upsert({ id: 'u1', email: 'b@example.com', name: 'A' });
      const updated = await row();
      expect(updated?.created_at).toEqual(created?.created_at);
      expect(updated?.updated_at.getTime()).toBeGreaterThan(created?.updated_at.getTime() ?? 0);
    });

    it('recovery takes only the sessions of an instance that is gone, never a live one’s', async () => {
      if (typeof database === 'string') return;
      const dying = await openPostgres(database.url);
      const live = storesOf(first, noLimits, first.locks);
      const doomed = createPostgresStores(dying.db, { budgets: noLimits }, dying.locks);
      await live.users.upsert({ id: 'u1', email: null, name: null });
      const start = (stores: EngineStores, id: string) =>
        stores.sessions.create({ id, userId: 'u1', prompt: 'p', responses: [] });
      await start(live, 'runs-on-live');
      await start(doomed, 'runs-on-dying');
      const recovered = async (stores: EngineStores) =>
        (await stores.sessions.findInterrupted()).map((f) => f.session.id);
      // Each instance's own sessions, and the other's, are held: nothing to recover anywhere.
      expect(await recovered(live)).toEqual([]);
      expect(await recovered(storesOf(second, noLimits, second.locks))).toEqual([]);
      // Without locks (SQLite's semantics) every running session is found.
      expect(await recovered(storesOf(second))).toEqual(['runs-on-live', 'runs-on-dying']);

      // The dying instance's connections go, and its locks with them.
      await dying.close();
      const third = storesOf(second, noLimits, second.locks);
      expect(await recovered(third)).toEqual(['runs-on-dying']);
      // Claimed by the instance recovering it: no one else takes it too.
      expect(await recovered(storesOf(first, noLimits, first.locks))).toEqual([]);
      const sessionLocks = async () =>
        (
          await first.pool.query<{ n: number }>(
            `select count(*)::int as n from pg_locks where locktype = 'advisory' and objsubid = 2
             and database = (select oid from pg_database where datname = current_database())`,
          )
        ).rows[0]?.n;
      expect(await sessionLocks()).toBe(2);
      // Ending a session gives its lock up.
      for (const [stores, id] of [
        [third, 'runs-on-dying'],
        [live, 'runs-on-live'],
      ] as const)
        await stores.sessions.persist([
          {
            sessionId: id,
            events: [{ id: 1, event: 'comparison_error', data: '{}' }],
            responses: [],
            final: { status: 'failed', errorMessage: 'x', finalEventId: 1 },
          },
        ]);
      expect(await sessionLocks()).toBe(0);
    });

    it('leaves an unrevealed blind comparison out of usage by model, but not out of the totals', async () => {
      const stores = storesOf(first, { usdPerDay: 10, unpriced: 'deny' });
      await stores.users.upsert({ id: 'u1', email: null, name: null });
      await stores.sessions.create({
        id: 'blind',
        userId: 'u1',
        prompt: 'p',
        blind: true,
        responses: [{ id: 'blind-r1', modelId: 'gpt-4o', provider: 'openai' }],
      });
      const now = new Date();
      await stores.budgets.reserve('u1', [{ responseId: 'blind-r1', modelId: 'gpt-4o', maxCost: 1 }], now);
      await stores.budgets.settle('blind-r1', { cost: 0.25, inputTokens: 3, outputTokens: 4 }, now);
      const hidden = await stores.budgets.usage('u1', now);
      expect(hidden.day.spent).toBe(0.25);
      expect(hidden.byModel).toEqual([]);
      await stores.sessions.reveal('u1', 'blind', now);
      expect((await stores.budgets.usage('u1', now)).byModel).toEqual([
        { modelId: 'gpt-4o', responses: 1, inputTokens: 3, outputTokens: 4, cost: 0.25 },
      ]);
    });

    it('stores text holding U+0000 (which Postgres text refuses) with U+FFFD in its place', async () => {
      const stores = storesOf(first);
      await stores.users.upsert({ id: 'u1', email: null, name: null });
      await stores.sessions.create({
        id: 's1',
        userId: 'u1',
        prompt: 'a\u0000b',
        responses: [{ id: 'r1', modelId: 'm', provider: 'openai' }],
      });
      await stores.sessions.persist([
        {
          sessionId: 's1',
          events: [{ id: 1, event: 'model_chunk', data: JSON.stringify({ chunk: 'x\u0000y' }) }],
          responses: [{ id: 'r1', appendText: 'x\u0000y', appendReasoning: '', status: 'streaming' }],
        },
      ]);
      const found = await stores.sessions.findForUser('u1', 's1');
      expect(found?.session.prompt).toBe('a\uFFFDb');
      expect(found?.responses[0]?.response).toBe('x\uFFFDy');
      // The event's JSON escapes the character, so the event itself is kept exactly.
      expect(JSON.parse((await stores.sessions.eventsAfter('s1', 0))[0]?.data ?? '{}').chunk).toBe(
        'x\u0000y',
      );
    });

    it('writes one response named twice in a batch in order, and a big batch in one transaction', async () => {
      const stores = storesOf(first);
      await stores.users.upsert({ id: 'u1', email: null, name: null });
      const ids = Array.from({ length: 150 }, (_, i) => `s${i}`);
      for (const id of ids)
        await stores.sessions.create({
          id,
          userId: 'u1',
          prompt: 'p',
          responses: [{ id: `${id}-r`, modelId: 'm', provider: 'openai' }],
        });
      await stores.sessions.persist(
        ids.map((id) => ({
          sessionId: id,
          events: [{ id: 1, event: 'model_chunk', data: '{}' }],
          responses: [
            { id: `${id}-r`, appendText: 'a', appendReasoning: '' },
            { id: `${id}-r`, appendText: 'b', appendReasoning: '', status: 'streaming' },
          ],
        })),
      );
      const page = await stores.sessions.listForUser('u1', 100, 0);
      expect(page.total).toBe(150);
      const last = await stores.sessions.findForUser('u1', 's149');
      expect(last?.responses[0]).toMatchObject({ response: 'ab', status: 'streaming' });
      expect(await stores.sessions.eventsAfter('s0', 0)).toHaveLength(1);
    });
  });
});
