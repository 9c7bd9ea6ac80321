// Real Postgres for tests: a throwaway database per test file, or the reason there is none (suites then skip).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the suites find a server they may create databases on (any database of it; trust auth here). */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ThrowawayDatabase {
  name: string;
  /** The URL of the new, empty database. */
  url: string;
  /** Drops it, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A new database `pgt_<random>` on the test server, or a sentence saying why there is none (the
 * server does not answer, or refuses to create one): the caller skips and prints it.
 */
export async function throwawayDatabase(): Promise<ThrowawayDatabase | string> {
  const name = `pgt_${randomBytes(6).toString('hex')}`;
  try {
    // Another session on template1 (the source of every new database) makes CREATE DATABASE fail
    // with 55006 for a moment: a few tries.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin((c) => c.query(`create database ${name}`));
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== '55006' || attempt === 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  } catch (err) {
    const where = new URL(TEST_DATABASE_URL);
    where.password = '';
    return `no Postgres for tests at ${where.host} (TEST_DATABASE_URL): ${(err as Error).message}`;
  }
  return {
    name,
    url: withDatabase(TEST_DATABASE_URL, name),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

/** Prints once why a Postgres suite is skipped, so a skipped suite is never silent. */
export function explainSkip(suite: string, reason: string) {
  console.warn(`[skipped] ${suite}: ${reason}`);
}
