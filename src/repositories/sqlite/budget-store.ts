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
  type ReservationItem,
  type Settlement,
  toNanoDollars,
} from '../../services/budget.js';
import { direct } from './direct.js';

export function createSqliteBudgetStore(db: Db, limits: BudgetLimits): BudgetStore {
  const l = budgetLedger;
  const p = sql.placeholder;
  // Settled rows count their cost (an unknown one as 0), reserved rows their hold.
  const spent = sql<number>`coalesce(sum(case when ${l.status} = 'settled' then coalesce(${l.costNano}, 0) else 0 end), 0)`;
  const reserved = sql<number>`coalesce(sum(case when ${l.status} = 'reserved' then ${l.reservedNano} else 0 end), 0)`;
  const inDay = sql`${l.reservedAt} >= ${p('dayStart')} and ${l.reservedAt} < ${p('dayEnd')}`;
  /**
   * Prepared once per database: every comparison reserves and settles, and building these with
   * Drizzle and preparing them in SQLite on each call was most of the set-up's database time (the
   * relay benchmark's profile: reserve and settle at 8% of the server's busy time). Timestamps go
   * in as milliseconds, the driver's values, since placeholders in raw SQL are not mapped.
   */
  const statements = {
    totals: db
      .select({
        monthSpent: spent,
        monthReserved: reserved,
        daySpent: sql<number>`coalesce(sum(case when ${inDay} and ${l.status} = 'settled' then coalesce(${l.costNano}, 0) else 0 end), 0)`,
        dayReserved: sql<number>`coalesce(sum(case when ${inDay} and ${l.status} = 'reserved' then ${l.reservedNano} else 0 end), 0)`,
      })
      .from(l)
      .where(
        and(
          eq(l.userId, p('userId')),
          sql`${l.reservedAt} >= ${p('monthStart')}`,
          sql`${l.reservedAt} < ${p('monthEnd')}`,
        ),
      )
      .prepare(),
    // Run by better-sqlite3 itself: Drizzle's value mapping cost more than the insert (reserve() was
    // 2.4% of the relay block's busy time, more than the session's own rows).
    insert: direct(
      db,
      db.insert(l).values({
        responseId: p('responseId'),
        userId: p('userId'),
        modelId: p('modelId'),
        reservedNano: p('reservedNano'),
        reservedAt: p('reservedAt'),
      }),
    ),
    settle: db
      .update(l)
      .set({
        status: 'settled',
        costNano: sql`${p('costNano')}`,
        inputTokens: sql`${p('inputTokens')}`,
        outputTokens: sql`${p('outputTokens')}`,
        settledAt: sql`${p('settledAtMs')}`,
      })
      .where(and(eq(l.responseId, p('responseId')), eq(l.status, 'reserved')))
      .prepare(),
  };
  const limited = limits.usdPerDay !== undefined || limits.usdPerMonth !== undefined;
  const none: PeriodTotals = { spentNano: 0, reservedNano: 0 };
  /** A native transaction made once (Drizzle's wrapper made one per call), run as BEGIN IMMEDIATE. */
  const reserveAll = db.$client.transaction(
    (userId: string, items: readonly ReservationItem[], now: Date, write?: () => unknown) => {
      // Without a limit nothing is compared: the scan of the month's rows (which grows with
      // every comparison of the month) is skipped, and the reservations are only recorded.
      const totals = limited ? totalsOf(userId, now).totals : { day: none, month: none };
      const reservedAt = now.getTime();
      for (const r of admit(limits, items, totals, now)) statements.insert.run({ ...r, userId, reservedAt });
      return write?.();
    },
  );

  /**
   * Settlements wait for the end of the turn of the event loop and are written together in one
   * transaction: each was its own commit, and the endings of many models come in bursts (a
   * hundred streams that started together end together), a burst of synchronous commits.
   */
  type Pending = { responseId: string; actual: Settlement; now: Date } & {
    resolve(changed: boolean): void;
    reject(err: unknown): void;
  };
  const pending: Pending[] = [];
  let scheduled = false;
  function flushSettlements(): void {
    scheduled = false;
    const batch = pending.splice(0);
    let changed: boolean[];
    try {
      changed = db.transaction(() =>
        batch.map(
          ({ responseId, actual, now }) =>
            statements.settle.run({
              responseId,
              costNano: actual.cost === null ? null : toNanoDollars(actual.cost),
              inputTokens: actual.inputTokens,
              outputTokens: actual.outputTokens,
              settledAtMs: now.getTime(),
            }).changes > 0,
        ),
      );
    } catch (err) {
      for (const s of batch) s.reject(err);
      return;
    }
    for (const [i, s] of batch.entries()) s.resolve(changed[i] === true);
  }

  /** The user's day and month totals in one indexed scan of this month's rows (a UTC day lies in its month). */
  function totalsOf(userId: string, now: Date) {
    const { day, month } = budgetPeriods(now);
    const row = statements.totals.get({
      userId,
      dayStart: day.start.getTime(),
      dayEnd: day.end.getTime(),
      monthStart: month.start.getTime(),
      monthEnd: month.end.getTime(),
    });
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
      reserveAll.immediate(userId, items, now);
    },

    reserveWithin<T>(userId: string, items: readonly ReservationItem[], now: Date, write: () => T): T {
      // The same immediate transaction, the session's rows inside it (a savepoint if they open
      // their own); with no item there is nothing to reserve, and `write` runs alone.
      if (items.length === 0) return write();
      return reserveAll.immediate(userId, items, now, write) as T;
    },

    settle(responseId, actual, now) {
      return new Promise<boolean>((resolve, reject) => {
        pending.push({ responseId, actual, now, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        setImmediate(flushSettlements);
      });
    },

    async usage(userId, now) {
      const { totals, day, month } = totalsOf(userId, now);
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
