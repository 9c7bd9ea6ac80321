// The budget ledger on Postgres: one transaction per reservation, serialised per user by an advisory lock.
import { and, desc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { PgDb } from '../../db/pg-client.js';
import { budgetLedger, comparisonSessions, modelResponses } from '../../db/pg-schema.js';
import {
  admit,
  type BudgetLimits,
  type BudgetStore,
  budgetPeriods,
  fromNanoDollars,
  type PeriodTotals,
  periodUsage,
  toNanoDollars,
} from '../../services/budget.js';

type Runner = Pick<PgDb, 'select'>;

// sum() of bigint is numeric, count() is bigint: node-postgres reads both as strings.
const total = (expression: SQL) => sql`coalesce(sum(${expression}), 0)`.mapWith(Number);

export function createPostgresBudgetStore(db: PgDb, limits: BudgetLimits): BudgetStore {
  const l = budgetLedger;
  const settledCost = sql`case when ${l.status} = 'settled' then coalesce(${l.costNano}, 0) else 0 end`;
  const reservedHold = sql`case when ${l.status} = 'reserved' then ${l.reservedNano} else 0 end`;

  /** The user's day and month totals in one indexed scan of this month's rows (a UTC day lies in its month). */
  async function totalsOf(tx: Runner, userId: string, now: Date) {
    const { day, month } = budgetPeriods(now);
    const inDay = sql`${l.reservedAt} >= ${day.start.toISOString()}::timestamptz and ${l.reservedAt} < ${day.end.toISOString()}::timestamptz`;
    const [row] = await tx
      .select({
        monthSpent: total(settledCost),
        monthReserved: total(reservedHold),
        daySpent: total(sql`case when ${inDay} then ${settledCost} else 0 end`),
        dayReserved: total(sql`case when ${inDay} then ${reservedHold} else 0 end`),
      })
      .from(l)
      .where(and(eq(l.userId, userId), gte(l.reservedAt, month.start), lt(l.reservedAt, month.end)));
    const totals: { day: PeriodTotals; month: PeriodTotals } = {
      day: { spentNano: row?.daySpent ?? 0, reservedNano: row?.dayReserved ?? 0 },
      month: { spentNano: row?.monthSpent ?? 0, reservedNano: row?.monthReserved ?? 0 },
    };
    return { totals, day, month };
  }

  return {
    limits,

    async reserve(userId, items, now) {
      if (items.length === 0) return;
      // Every instance on this database takes the same transaction-scoped lock on the user before it
      // reads the totals, so two reservations of one user never both fit under the limit; other
      // users' reservations do not wait. The lock ends with the transaction.
      await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${userId}))`);
        const { totals } = await totalsOf(tx, userId, now);
        const rows = admit(limits, items, totals, now).map((r) => ({ ...r, userId, reservedAt: now }));
        await tx.insert(l).values(rows);
      });
    },

    async settle(responseId, actual, now) {
      const result = await db
        .update(l)
        .set({
          status: 'settled',
          costNano: actual.cost === null ? null : toNanoDollars(actual.cost),
          inputTokens: actual.inputTokens,
          outputTokens: actual.outputTokens,
          settledAt: now,
        })
        .where(and(eq(l.responseId, responseId), eq(l.status, 'reserved')));
      return (result.rowCount ?? 0) > 0;
    },

    async usage(userId, now) {
      const { totals, day, month } = await totalsOf(db, userId, now);
      const cost = total(sql`coalesce(${l.costNano}, 0)`);
      const byModel = await db
        .select({
          modelId: l.modelId,
          responses: sql`count(*)`.mapWith(Number),
          inputTokens: total(sql`${l.inputTokens}`),
          outputTokens: total(sql`${l.outputTokens}`),
          cost,
        })
        .from(l)
        .leftJoin(modelResponses, eq(modelResponses.id, l.responseId))
        .leftJoin(comparisonSessions, eq(comparisonSessions.id, modelResponses.sessionId))
        .where(
          and(
            eq(l.userId, userId),
            gte(l.reservedAt, month.start),
            lt(l.reservedAt, month.end),
            // An unrevealed blind comparison names no model to its user: its spend is in the totals only.
            sql`not (coalesce(${comparisonSessions.blind}, false) and ${comparisonSessions.revealedAt} is null)`,
          ),
        )
        .groupBy(l.modelId)
        .orderBy(desc(cost), l.modelId);
      return {
        day: periodUsage(limits.usdPerDay, totals.day, day),
        month: periodUsage(limits.usdPerMonth, totals.month, month),
        byModel: byModel.map((m) => ({ ...m, cost: fromNanoDollars(m.cost) })),
      };
    },
  };
}
