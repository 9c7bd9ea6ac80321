// The budget ledger on SQLite: reservations checked and inserted in one immediate transaction.
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { budgetLedger, comparisonSessions, modelResponses } from '../../db/schema.js';
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

export function createSqliteBudgetStore(db: Db, limits: BudgetLimits): BudgetStore {
  const l = budgetLedger;
  // Settled rows count their cost (an unknown one as 0), reserved rows their hold.
  const spent = sql<number>`coalesce(sum(case when ${l.status} = 'settled' then coalesce(${l.costNano}, 0) else 0 end), 0)`;
  const reserved = sql<number>`coalesce(sum(case when ${l.status} = 'reserved' then ${l.reservedNano} else 0 end), 0)`;

  /** The user's day and month totals in one indexed scan of this month's rows (a UTC day lies in its month). */
  function totalsOf(tx: Pick<Db, 'select'>, userId: string, now: Date) {
    const { day, month } = budgetPeriods(now);
    const inDay = sql`${l.reservedAt} >= ${day.start.getTime()} and ${l.reservedAt} < ${day.end.getTime()}`;
    const row = tx
      .select({
        monthSpent: spent,
        monthReserved: reserved,
        daySpent: sql<number>`coalesce(sum(case when ${inDay} and ${l.status} = 'settled' then coalesce(${l.costNano}, 0) else 0 end), 0)`,
        dayReserved: sql<number>`coalesce(sum(case when ${inDay} and ${l.status} = 'reserved' then ${l.reservedNano} else 0 end), 0)`,
      })
      .from(l)
      .where(and(eq(l.userId, userId), gte(l.reservedAt, month.start), lt(l.reservedAt, month.end)))
      .get();
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
      // better-sqlite3 runs the whole transaction synchronously: no other request of this process
      // can read the totals between our read and our insert, and BEGIN IMMEDIATE takes the write
      // lock first, so another process on the same file waits too. Postgres will need the same
      // serialisation per user: a transaction-scoped advisory lock on the user
      // (pg_advisory_xact_lock(hashtext(user_id))) or SELECT ... FOR UPDATE on a per-user row,
      // taken before the totals are read.
      db.transaction(
        (tx) => {
          const { totals } = totalsOf(tx, userId, now);
          const rows = admit(limits, items, totals, now).map((r) => ({ ...r, userId, reservedAt: now }));
          tx.insert(l).values(rows).run();
        },
        { behavior: 'immediate' },
      );
    },

    async settle(responseId, actual, now) {
      const result = db
        .update(l)
        .set({
          status: 'settled',
          costNano: actual.cost === null ? null : toNanoDollars(actual.cost),
          inputTokens: actual.inputTokens,
          outputTokens: actual.outputTokens,
          settledAt: now,
        })
        .where(and(eq(l.responseId, responseId), eq(l.status, 'reserved')))
        .run();
      return result.changes > 0;
    },

    async usage(userId, now) {
      const { totals, day, month } = totalsOf(db, userId, now);
      const cost = sql<number>`coalesce(sum(coalesce(${l.costNano}, 0)), 0)`;
      const byModel = db
        .select({
          modelId: l.modelId,
          responses: sql<number>`count(*)`,
          inputTokens: sql<number>`coalesce(sum(${l.inputTokens}), 0)`,
          outputTokens: sql<number>`coalesce(sum(${l.outputTokens}), 0)`,
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
            sql`not (coalesce(${comparisonSessions.blind}, 0) = 1 and ${comparisonSessions.revealedAt} is null)`,
          ),
        )
        .groupBy(l.modelId)
        .orderBy(desc(cost), l.modelId)
        .all();
      return {
        day: periodUsage(limits.usdPerDay, totals.day, day),
        month: periodUsage(limits.usdPerMonth, totals.month, month),
        byModel: byModel.map((m) => ({ ...m, cost: fromNanoDollars(m.cost) })),
      };
    },
  };
}
