// Postgres errors the stores answer rather than throw, found as they are or as the `cause` of Drizzle's query error.
import pg from 'pg';

function databaseError(err: unknown): pg.DatabaseError | undefined {
  for (let e = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof pg.DatabaseError) return e;
  return undefined;
}

/** 23505, optionally on one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = databaseError(err);
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
