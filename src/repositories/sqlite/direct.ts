// Statements built by Drizzle (their SQL follows the schema) but run by better-sqlite3 itself.
import { is, Param, Placeholder } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

/** What a direct statement takes: the driver's values (a Date as milliseconds, a boolean as 0 or 1). */
export type DirectValues = Record<string, string | number | null | undefined>;

/**
 * Drizzle's per-run work (filling placeholders, mapping values) is most of the cost of a one-row
 * statement, and these run per streamed event or per comparison. Values go to the driver as they
 * are: strings, numbers, null.
 */
export function direct(db: Db, query: { toSQL(): { sql: string; params: unknown[] } }) {
  const { sql: text, params } = query.toSQL();
  // A placeholder is filled per run; any other parameter (a column default Drizzle writes into an
  // insert) is a constant, which must already be a driver value.
  const fills = params.map((param): ((values: DirectValues) => unknown) => {
    const value = is(param, Param) ? param.value : param;
    if (is(value, Placeholder)) return (values) => values[value.name] ?? null;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number')
      throw new Error(`a direct statement takes placeholders and plain constants only: ${text}`);
    return () => value;
  });
  const statement = db.$client.prepare(text);
  return {
    run: (values: DirectValues) => statement.run(...fills.map((fill) => fill(values))),
  };
}
