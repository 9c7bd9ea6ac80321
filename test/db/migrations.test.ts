// Migrations over data: a database of an earlier version keeps every stored event, with the same ids.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase } from '../../src/db/client.js';
import { createSessionsRepository } from '../../src/repositories/sessions.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'playground-migrations-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database file as the first release (migration 0000 only) left it. */
function firstReleaseDatabase(path: string) {
  const folder = join(dir, 'migrations-0000');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  cpSync(join(migrationsFolder, '0000_init.sql'), join(folder, '0000_init.sql'));
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, 1);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return sqlite;
}

describe('migration 0001: events stored in batches', () => {
  it('keeps the events stored one per row, in order, with their ids', () => {
    const path = join(dir, 'db.sqlite');
    const old = firstReleaseDatabase(path);
    old.exec(`
      insert into users (id) values ('u1');
      insert into comparison_sessions (id, user_id, prompt, status) values ('s1', 'u1', 'p', 'completed');
      insert into session_events (session_id, id, event, data) values
        ('s1', 1, 'model_chunk', '{"modelId":"a","chunk":"Hello world"}'),
        ('s1', 2, 'model_complete', '{"modelId":"a"}'),
        ('s1', 3, 'comparison_complete', '{}');
    `);
    old.close();

    const { db, sqlite } = openDatabase(path);
    expect(createSessionsRepository(db).eventsAfter('s1', 1)).toEqual([
      { id: 2, event: 'model_complete', data: '{"modelId":"a"}' },
      { id: 3, event: 'comparison_complete', data: '{}' },
    ]);
    expect(createSessionsRepository(db).eventsAfter('s1', 0)[0]).toEqual({
      id: 1,
      event: 'model_chunk',
      data: '{"modelId":"a","chunk":"Hello world"}',
    });
    const oldTable = sqlite.prepare("select name from sqlite_master where name = 'session_events'").all();
    expect(oldTable).toEqual([]);
    sqlite.close();
  });
});
