// The database: migrations on a fresh file and on an already-migrated one, and the pragmas we rely on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { users } from '../../src/db/schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'playground-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (sqlite: ReturnType<typeof openDatabase>['sqlite']) =>
  (
    sqlite.prepare("select name from sqlite_master where type = 'table' order by name").all() as {
      name: string;
    }[]
  )
    .map((t) => t.name)
    .filter((n) => !n.startsWith('sqlite_'));

describe('openDatabase', () => {
  it('creates the file, its folder and every table on a fresh path', async () => {
    const { sqlite, close } = openDatabase(join(dir, 'nested', 'db.sqlite'));
    expect(tables(sqlite)).toEqual([
      '__drizzle_migrations',
      'budget_ledger',
      'comparison_sessions',
      'model_responses',
      'session_event_batches',
      'shares',
      'users',
      'votes',
    ]);
    await close();
  });

  it('opens an already-migrated file without re-applying anything and keeps its data', async () => {
    const path = join(dir, 'db.sqlite');
    const first = openDatabase(path);
    first.db.insert(users).values({ id: 'u1', email: 'u1@example.com' }).run();
    const applied = first.sqlite.prepare('select count(*) as n from __drizzle_migrations').get();
    await first.close();

    const second = openDatabase(path);
    expect(second.sqlite.prepare('select count(*) as n from __drizzle_migrations').get()).toEqual(applied);
    expect(second.db.select().from(users).all()).toMatchObject([{ id: 'u1', email: 'u1@example.com' }]);
    await second.close();
  });

  it('runs in WAL mode with foreign keys enforced and a busy timeout', async () => {
    const { sqlite, db, close } = openDatabase(join(dir, 'db.sqlite'));
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(() =>
      sqlite
        .prepare("insert into comparison_sessions (id, user_id, prompt) values ('s1', 'nobody', 'p')")
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(db.select().from(users).all()).toEqual([]);
    await close();
  });

  it('works on :memory:', () => {
    const { sqlite } = openDatabase(':memory:');
    expect(tables(sqlite)).toContain('comparison_sessions');
    sqlite.close();
  });
});
