// The BudgetStore contract: every engine's ledger passes these (concurrency, UTC periods, settlement, unpriced).
import { describe, expect, it } from 'vitest';
import type {
  BudgetExceededError,
  BudgetLimits,
  BudgetStore,
  ReservationItem,
} from '../../src/services/budget.js';

/** A fresh ledger with these limits, and what it holds (rows and reserved nano-dollars). */
export type MakeBudgetStore = (
  limits: BudgetLimits,
) => Promise<{ budgets: BudgetStore; ledger(): Promise<{ rows: number; nano: number }> }>;

let n = 0;
const item = (maxCost: number | null, modelId = 'gpt-4o'): ReservationItem => ({
  responseId: `r${++n}`,
  modelId,
  maxCost,
});

async function rejection(promise: Promise<unknown>): Promise<BudgetExceededError> {
  try {
    await promise;
  } catch (err) {
    return err as BudgetExceededError;
  }
  throw new Error('expected a 402');
}

const at = (iso: string) => new Date(iso);

export function describeBudgetStore(engine: string, store: MakeBudgetStore) {
  describe(`BudgetStore contract: ${engine}`, () => {
    describe('reserve: concurrency', () => {
      it('admits 20 simultaneous comparisons only up to the limit; the rest get 402 and insert nothing', async () => {
        const { budgets, ledger } = await store({ usdPerDay: 1, unpriced: 'deny' });
        const now = at('2026-12-01T12:00:00Z');
        // Each comparison: two models at 0.05 and 0.07, 0.12 in all; 20 of them would need 2.40.
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            budgets.reserve('alice', [item(0.05), item(0.07, 'claude-haiku-4-5')], now),
          ),
        );
        const admitted = results.filter((r) => r.status === 'fulfilled').length;
        const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(admitted).toBe(8);
        expect(refused).toHaveLength(12);
        for (const r of refused)
          expect(r.reason).toMatchObject({ statusCode: 402, code: 'PLAYGROUND_BUDGET_EXCEEDED' });
        expect(await ledger()).toEqual({ rows: 16, nano: 960_000_000 });
        const usage = await budgets.usage('alice', now);
        expect(usage.day).toMatchObject({ spent: 0, reserved: 0.96, limit: 1, remaining: 0.04 });
      });

      it('keeps users apart', async () => {
        const { budgets } = await store({ usdPerDay: 0.1, unpriced: 'deny' });
        const now = at('2026-12-01T12:00:00Z');
        await budgets.reserve('alice', [item(0.1)], now);
        await expect(budgets.reserve('carol', [item(0.1)], now)).resolves.toBeUndefined();
      });
    });

    describe('reserve: the 402', () => {
      it('names the limit, what is spent and reserved, and what this comparison needs', async () => {
        const { budgets } = await store({ usdPerDay: 5, unpriced: 'deny' });
        const now = at('2026-12-01T12:00:00Z');
        const first = item(3);
        await budgets.reserve('alice', [first], now);
        await budgets.settle(first.responseId, { cost: 1.2, inputTokens: 10, outputTokens: 20 }, now);
        await budgets.reserve('alice', [item(2.5)], now);
        const err = await rejection(budgets.reserve('alice', [item(1), item(0.5)], now));
        expect(err.statusCode).toBe(402);
        expect(err.message).toBe(
          'This comparison does not fit your daily budget: limit $5.00, spent $1.20, reserved for running ' +
            'models $2.50, this comparison needs up to $1.50 (the budget resets at 2026-12-02T00:00:00.000Z)',
        );
        expect(err.budget).toEqual({
          reason: 'limit',
          period: 'day',
          limit: 5,
          spent: 1.2,
          reserved: 2.5,
          needed: 1.5,
          resetsAt: '2026-12-02T00:00:00.000Z',
        });
      });

      it('shows fractions of a cent', async () => {
        const { budgets } = await store({ usdPerDay: 0.0001, unpriced: 'deny' });
        const err = await rejection(budgets.reserve('alice', [item(0.000123)], at('2026-12-01T00:00:00Z')));
        expect(err.message).toContain('limit $0.0001, spent $0.00, reserved for running models $0.00');
        expect(err.message).toContain('needs up to $0.000123');
      });
    });

    describe('reserve: UTC periods', () => {
      it('starts a new day at UTC midnight', async () => {
        const { budgets } = await store({ usdPerDay: 1, unpriced: 'deny' });
        await budgets.reserve('alice', [item(1)], at('2026-12-01T23:59:59.999Z'));
        await expect(
          rejection(budgets.reserve('alice', [item(0.01)], at('2026-12-01T23:59:59.999Z'))),
        ).resolves.toMatchObject({ statusCode: 402 });
        await budgets.reserve('alice', [item(1)], at('2026-12-02T00:00:00.000Z'));
        const usage = await budgets.usage('alice', at('2026-12-02T08:00:00Z'));
        expect(usage.day).toEqual({
          spent: 0,
          reserved: 1,
          limit: 1,
          remaining: 0,
          resetsAt: '2026-12-03T00:00:00.000Z',
        });
        expect(usage.month).toMatchObject({ reserved: 2, limit: null, remaining: null });
        expect(usage.month.resetsAt).toBe('2027-01-01T00:00:00.000Z');
      });

      it('starts a new month on the first, UTC, and checks the day and the month together', async () => {
        const { budgets } = await store({ usdPerDay: 3, usdPerMonth: 4, unpriced: 'deny' });
        await budgets.reserve('alice', [item(3)], at('2026-12-30T10:00:00Z'));
        // A new day, but the month has only 1 left.
        const err = await rejection(budgets.reserve('alice', [item(2)], at('2026-12-31T23:00:00Z')));
        expect(err.budget).toMatchObject({ period: 'month', limit: 4, reserved: 3, needed: 2 });
        expect(err.message).toContain('monthly budget');
        await budgets.reserve('alice', [item(3)], at('2027-01-01T00:00:00Z'));
        expect((await budgets.usage('alice', at('2027-01-01T00:00:01Z'))).month).toMatchObject({
          reserved: 3,
          remaining: 1,
          resetsAt: '2027-02-01T00:00:00.000Z',
        });
      });
    });

    describe('settle and usage', () => {
      it('turns a reservation into the real cost, once, and reports this month by model', async () => {
        const { budgets } = await store({ usdPerDay: 10, usdPerMonth: 100, unpriced: 'deny' });
        const now = at('2026-12-01T12:00:00Z');
        const [a, b, c] = [item(0.5, 'gpt-4o'), item(0.4, 'claude-haiku-4-5'), item(0.3, 'gpt-4o')];
        await budgets.reserve('alice', [a, b], now);
        await budgets.reserve('alice', [c], now);
        expect(
          await budgets.settle(a.responseId, { cost: 0.01, inputTokens: 100, outputTokens: 50 }, now),
        ).toBe(true);
        expect(await budgets.settle(a.responseId, { cost: 9, inputTokens: 1, outputTokens: 1 }, now)).toBe(
          false,
        );
        // A cancelled model: the caller passes the estimate from the text streamed.
        await budgets.settle(b.responseId, { cost: 0.002, inputTokens: 100, outputTokens: 7 }, now);
        expect(await budgets.settle('nobody', { cost: 1, inputTokens: 0, outputTokens: 0 }, now)).toBe(false);
        const usage = await budgets.usage('alice', now);
        expect(usage.day).toEqual({
          spent: 0.012,
          reserved: 0.3,
          limit: 10,
          remaining: 9.688,
          resetsAt: '2026-12-02T00:00:00.000Z',
        });
        expect(usage.byModel).toEqual([
          { modelId: 'gpt-4o', responses: 2, inputTokens: 100, outputTokens: 50, cost: 0.01 },
          { modelId: 'claude-haiku-4-5', responses: 1, inputTokens: 100, outputTokens: 7, cost: 0.002 },
        ]);
        // Last month's spend is not this month's.
        const next = await budgets.usage('alice', at('2027-01-02T00:00:00Z'));
        expect(next).toMatchObject({ byModel: [], month: { spent: 0, reserved: 0 } });
      });

      it('records without limits: no 402, unpriced models too', async () => {
        const { budgets } = await store({ unpriced: 'deny' });
        const now = at('2026-12-01T12:00:00Z');
        await budgets.reserve('alice', [item(1000), item(null, 'ollama/llama')], now);
        expect((await budgets.usage('alice', now)).day).toMatchObject({
          reserved: 1000,
          limit: null,
          remaining: null,
        });
      });
    });

    describe('unpriced models under a limit', () => {
      it('deny: 402 naming the model, and nothing reserved for the priced ones either', async () => {
        const { budgets, ledger } = await store({ usdPerDay: 10, unpriced: 'deny' });
        const err = await rejection(
          budgets.reserve('alice', [item(0.1), item(null, 'ollama/llama')], at('2026-12-01T12:00:00Z')),
        );
        expect(err.statusCode).toBe(402);
        expect(err.message).toMatch(/^Model ollama\/llama has no known price/);
        expect(err.budget).toEqual({ reason: 'unpriced', modelIds: ['ollama/llama'] });
        expect(await ledger()).toEqual({ rows: 0, nano: 0 });
      });

      it('allow: runs with nothing reserved, and a cost the provider reported still counts', async () => {
        const { budgets } = await store({ usdPerDay: 1, unpriced: 'allow' });
        const now = at('2026-12-01T12:00:00Z');
        const free = item(null, 'ollama/llama');
        await budgets.reserve('alice', [item(1), free], now);
        expect((await budgets.usage('alice', now)).day).toMatchObject({ reserved: 1, remaining: 0 });
        await budgets.settle(free.responseId, { cost: null, inputTokens: 5, outputTokens: 5 }, now);
        const usage = await budgets.usage('alice', now);
        expect(usage.day.spent).toBe(0);
        expect(usage.byModel).toContainEqual({
          modelId: 'ollama/llama',
          responses: 1,
          inputTokens: 5,
          outputTokens: 5,
          cost: 0,
        });
      });
    });
  });
}
