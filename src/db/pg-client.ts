// Opens Postgres through node-postgres: a pool from DATABASE_URL, migrations under an advisory lock, a health probe.
import { resolve } from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { type DatabaseHealth, migrationsFolder } from './client.js';
import * as schema from './pg-schema.js';
import { createSessionLocks } from './pg-session-locks.js';

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export const pgMigrationsFolder = resolve(migrationsFolder, 'postgres');

/** Any fixed number will do: instances of this app starting on one database take turns to migrate. */
const MIGRATION_LOCK = 4_201_758_163;
const HEALTH_TIMEOUT_MS = 2000;

/** Postgres could not be reached or migrated at start-up: the message names it, password masked. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

export interface OpenPostgresOptions {
  log?: FastifyBaseLogger;
  /** Connections per instance; node-postgres' default is 10. */
  maxConnections?: number;
}

/** The URL with its password masked, for logs and errors. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/**
 * Applies migrations/postgres. Several instances may start at once: each takes a session-level
 * advisory lock first, so one migrates and the others then find nothing left to do (without it two
 * could race on CREATE SCHEMA or the same CREATE TABLE). The migrator runs on the locking client.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client, { schema }), { migrationsFolder: pgMigrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function openPostgres(url: string, options: OpenPostgresOptions = {}) {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 10_000,
    application_name: 'ai-model-playground',
  });
  // An idle connection the server drops (restart, failover) emits here; unhandled it would end the process.
  pool.on('error', (err) => options.log?.warn({ err }, 'an idle Postgres connection failed'));
  let closed = false;
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseOpenError(`Could not open the Postgres database ${redactDatabaseUrl(url)}: ${reason}`, {
      cause: err,
    });
  }
  const db: PgDb = drizzle(pool, { schema });
  const locks = createSessionLocks(pool, options.log);

  /**
   * A round trip and the server's read-only state (a hot standby, default_transaction_read_only):
   * no write, and at most HEALTH_TIMEOUT_MS, so /health answers even when Postgres does not.
   */
  async function health(): Promise<DatabaseHealth> {
    if (closed) return { reachable: false, writable: false, problem: 'the database is closed' };
    const probe = async () => {
      const result = await pool.query<{ read_only: string }>(
        "select current_setting('transaction_read_only') as read_only",
      );
      return result.rows[0]?.read_only === 'on';
    };
    let readOnly: boolean;
    try {
      // A second try: after a server restart or failover the first query may meet a pooled
      // connection the server has already cut, which the pool then drops.
      readOnly = await withTimeout(
        probe().catch(() => probe()),
        HEALTH_TIMEOUT_MS,
      );
    } catch {
      return { reachable: false, writable: false, problem: 'the database does not answer' };
    }
    return readOnly
      ? { reachable: true, writable: false, problem: 'the database is read-only' }
      : { reachable: true, writable: true, problem: null };
  }

  /** Gives up the session locks' connection, waits for the other checked-out ones, then closes them all. */
  async function close() {
    if (closed) return;
    closed = true;
    await locks.close();
    await pool.end();
  }

  return { pool, db, locks, health, close };
}
