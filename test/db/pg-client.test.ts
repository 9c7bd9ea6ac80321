// The Postgres client on a real throwaway database: concurrent start-up migrations, health, close, no password in errors.
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres, redactDatabaseUrl } from '../../src/db/pg-client.js';
import { explainSkip, throwawayDatabase } from '../support/postgres.js';

const database = await throwawayDatabase();
const skipped = typeof database === 'string' ? database : undefined;
if (skipped) explainSkip('Postgres client', skipped);

describe('redactDatabaseUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactDatabaseUrl('postgres://app:s3cret@db:5432/play')).toBe('postgres://app:***@db:5432/play');
    expect(redactDatabaseUrl('postgresql://db/play')).toBe('postgresql://db/play');
  });
});

describe('a Postgres that does not answer', () => {
  it('fails start-up with one message naming the database, never its password', async () => {
    const error = await openPostgres('postgres://app:hunter2@127.0.0.1:1/none').then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).toMatch(
      /^Could not open the Postgres database postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/none: /,
    );
    expect(error?.message).not.toContain('hunter2');
  });
});

describe.skipIf(skipped !== undefined)('openPostgres on a real server', () => {
  afterAll(async () => {
    if (typeof database !== 'string') await database.drop();
  });
  const url = typeof database === 'string' ? '' : database.url;

  it('four instances starting at once on a fresh database migrate it once, and all can use it', async () => {
    const opened = await Promise.all(Array.from({ length: 4 }, () => openPostgres(url)));
    try {
      const first = opened[0];
      if (!first) throw new Error('nothing opened');
      const applied = await first.pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(applied.rows[0]).toEqual({ n: 1 });
      const tables = await first.pool.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by 1",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        'budget_ledger',
        'comparison_sessions',
        'model_responses',
        'session_event_batches',
        'shares',
        'users',
        'votes',
      ]);
      for (const o of opened)
        expect(await o.health()).toEqual({ reachable: true, writable: true, problem: null });
    } finally {
      await Promise.all(opened.map((o) => o.close()));
    }
    // A restart finds nothing left to apply.
    const again = await openPostgres(url);
    const applied = await again.pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    expect(applied.rows[0]).toEqual({ n: 1 });
    await again.close();
  });

  it('reports a read-only connection, and a closed pool, as /health shows them', async () => {
    // One connection, made read-only as a hot standby's would be.
    const opened = await openPostgres(url, { maxConnections: 1 });
    await opened.pool.query('set default_transaction_read_only = on');
    expect(await opened.health()).toEqual({
      reachable: true,
      writable: false,
      problem: 'the database is read-only',
    });
    await opened.pool.query('set default_transaction_read_only = off');
    expect(await opened.health()).toEqual({ reachable: true, writable: true, problem: null });
    await opened.close();
    expect(await opened.health()).toEqual({
      reachable: false,
      writable: false,
      problem: 'the database is closed',
    });
  });
});
