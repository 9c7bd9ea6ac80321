// Spending budgets: the store's interface and the policy every engine applies (UTC periods, 402s).
import { Errors } from '../errors.js';

export interface BudgetLimits {
  /** US dollars per user per UTC day; undefined: no daily limit. */
  usdPerDay?: number;
  /** US dollars per user per UTC month; undefined: no monthly limit. */
  usdPerMonth?: number;
  /** With a limit set, whether models with no known price (maxCost null) may run, reserving nothing. */
  unpriced: 'deny' | 'allow';
}

/** One model response of a comparison about to start, with the most it can cost (null: unpriced). */
export interface ReservationItem {
  responseId: string;
  modelId: string;
  maxCost: number | null;
}

/**
 * What a finished model really cost: the provider's figure, else an estimate from the text
 * streamed (the caller decides, see priceResponse); null when even that is unknown (unpriced).
 */
export interface Settlement {
  cost: number | null;
  inputTokens: number;
  outputTokens: number;
}

export interface PeriodUsage {
  spent: number;
  reserved: number;
  limit: number | null;
  /** limit - spent - reserved, never below 0; null without a limit. */
  remaining: number | null;
  /** The end of the period (the next UTC midnight, or the first of next month), ISO 8601. */
  resetsAt: string;
}

export interface ModelUsage {
  modelId: string;
  responses: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

export interface BudgetUsage {
  day: PeriodUsage;
  month: PeriodUsage;
  /** This month's responses by model, priciest first. */
  byModel: ModelUsage[];
}

/**
 * A ledger of reservations and settled costs, one entry per model response. Promise-returning so
 * that SQLite (now) and Postgres (next) implement the same contract; every implementation applies
 * `admit` below inside one atomic check-and-insert per user.
 */
export interface BudgetStore {
  readonly limits: BudgetLimits;
  /**
   * Reserves each item's maxCost in the UTC day and month of `now`, all or nothing: throws a 402
   * (Errors.BudgetExceeded) and inserts nothing when spent + reserved + needed would pass a limit,
   * or when an item is unpriced under `unpriced: 'deny'`. Without any limit it only records.
   */
  reserve(userId: string, items: readonly ReservationItem[], now: Date): Promise<void>;
  /**
   * Where the engine is synchronous (SQLite): reserves as `reserve` does, then runs `write` (the
   * session's rows, `SessionStore.createSync`) in the same transaction, so a comparison's set-up is
   * one commit; if either throws, neither is stored. Elsewhere absent: reserve, then create.
   */
  reserveWithin?<T>(userId: string, items: readonly ReservationItem[], now: Date, write: () => T): T;
  /** Turns a reservation into the real cost; false when there is none or it was settled already. */
  settle(responseId: string, actual: Settlement, now: Date): Promise<boolean>;
  /** The user's spend in the day and month of `now`, and this month's by model. */
  usage(userId: string, now: Date): Promise<BudgetUsage>;
}

/** Amounts are kept as integers of a billionth of a dollar, so sums and comparisons are exact. */
export const toNanoDollars = (usd: number) => Math.round(usd * 1e9);
export const fromNanoDollars = (nano: number) => nano / 1e9;

export interface Period {
  start: Date;
  end: Date;
}

/** The UTC day and month that `now` falls in, as half-open [start, end) intervals. */
export function budgetPeriods(now: Date): { day: Period; month: Period } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  return {
    day: { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) },
    month: { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) },
  };
}

/** Spent (settled) and reserved (still running) amounts of one user in one period, in nano-dollars. */
export interface PeriodTotals {
  spentNano: number;
  reservedNano: number;
}

export interface Reservation {
  responseId: string;
  modelId: string;
  reservedNano: number;
}

export type BudgetExceededError = InstanceType<typeof Errors.BudgetExceeded> & {
  budget:
    | { reason: 'unpriced'; modelIds: string[] }
    | {
        reason: 'limit';
        period: 'day' | 'month';
        limit: number;
        spent: number;
        reserved: number;
        needed: number;
        resetsAt: string;
      };
};

/**
 * The policy: the reservations to insert, or a 402 naming the limit, what is spent and reserved,
 * and what this comparison needs. Pure, so each engine calls it between its locked read and insert.
 */
export function admit(
  limits: BudgetLimits,
  items: readonly ReservationItem[],
  totals: { day: PeriodTotals; month: PeriodTotals },
  now: Date,
): Reservation[] {
  const limited = limits.usdPerDay !== undefined || limits.usdPerMonth !== undefined;
  const unpriced = items.filter((i) => i.maxCost === null).map((i) => i.modelId);
  if (limited && unpriced.length > 0 && limits.unpriced === 'deny') {
    const names = unpriced.join(', ');
    throw budgetError(
      `${unpriced.length === 1 ? `Model ${names} has` : `Models ${names} have`} no known price, and ` +
        'with a spending limit this server runs only models whose cost it can bound (BUDGET_UNPRICED=deny)',
      { reason: 'unpriced', modelIds: unpriced },
    );
  }
  const reservations = items.map((i) => ({
    responseId: i.responseId,
    modelId: i.modelId,
    reservedNano: i.maxCost === null ? 0 : toNanoDollars(i.maxCost),
  }));
  const neededNano = reservations.reduce((sum, r) => sum + r.reservedNano, 0);
  const periods = budgetPeriods(now);
  for (const period of ['day', 'month'] as const) {
    const limit = period === 'day' ? limits.usdPerDay : limits.usdPerMonth;
    if (limit === undefined) continue;
    const { spentNano, reservedNano } = totals[period];
    if (spentNano + reservedNano + neededNano <= toNanoDollars(limit)) continue;
    const details = {
      reason: 'limit' as const,
      period,
      limit,
      spent: fromNanoDollars(spentNano),
      reserved: fromNanoDollars(reservedNano),
      needed: fromNanoDollars(neededNano),
      resetsAt: periods[period].end.toISOString(),
    };
    throw budgetError(
      `This comparison does not fit your ${period === 'day' ? 'daily' : 'monthly'} budget: limit ` +
        `${formatUsd(limit)}, spent ${formatUsd(details.spent)}, reserved for running models ` +
        `${formatUsd(details.reserved)}, this comparison needs up to ${formatUsd(details.needed)} ` +
        `(the budget resets at ${details.resetsAt})`,
      details,
    );
  }
  return reservations;
}

/** One period's figures for GET /me/usage. */
export function periodUsage(limit: number | undefined, totals: PeriodTotals, period: Period): PeriodUsage {
  const remainingNano =
    limit === undefined ? null : Math.max(0, toNanoDollars(limit) - totals.spentNano - totals.reservedNano);
  return {
    spent: fromNanoDollars(totals.spentNano),
    reserved: fromNanoDollars(totals.reservedNano),
    limit: limit ?? null,
    remaining: remainingNano === null ? null : fromNanoDollars(remainingNano),
    resetsAt: period.end.toISOString(),
  };
}

/** Dollars with cents, or with the digits a fraction of a cent needs ($0.000123). */
export function formatUsd(usd: number): string {
  const cents = usd.toFixed(2);
  if (Number(cents) === usd) return `$${cents}`;
  return `$${usd.toFixed(9).replace(/0+$/, '')}`;
}

function budgetError(message: string, budget: BudgetExceededError['budget']): BudgetExceededError {
  return Object.assign(new Errors.BudgetExceeded(message), { budget });
}
