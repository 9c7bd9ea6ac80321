// Migrations over data: a database of an earlier version keeps every stored event, response and session.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFolder, openDatabase } from '../../src/db/client.js';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'playground-migrations-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database file as a release with the first `count` migrations left it. */
function releaseDatabase(path: string, count: number) {
  const folder = join(dir, `migrations-${count}`);
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, count);
  for (const { tag } of journal.entries as { tag: string }[])
    cpSync(join(migrationsFolder, `${tag}.sql`), join(folder, `${tag}.sql`));
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  const sqlite = new Database(path);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  return sqlite;
}

describe('migration 0001: events stored in batches', () => {
  it('keeps the events stored one per row, in order, with their ids', async () => {
    const path = join(dir, 'db.sqlite');
    const old = releaseDatabase(path, 1);
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
    expect(await createSqliteSessionStore(db).eventsAfter('s1', 1)).toEqual([
      { id: 2, event: 'model_complete', data: '{"modelId":"a"}' },
      { id: 3, event: 'comparison_complete', data: '{}' },
    ]);
    expect((await createSqliteSessionStore(db).eventsAfter('s1', 0))[0]).toEqual({
      id: 1,
      event: 'model_chunk',
      data: '{"modelId":"a","chunk":"Hello world"}',
    });
    const oldTable = sqlite.prepare("select name from sqlite_master where name = 'session_events'").all();
    expect(oldTable).toEqual([]);
    sqlite.close();
  });
});

describe('migration 0002: conversations, costs, reasoning', () => {
  it('keeps every response with its text and figures, and makes every old session turn 1 of its own', async () => {
    const path = join(dir, 'db.sqlite');
    const old = releaseDatabase(path, 2);
    old.exec(`
      insert into users (id) values ('u1');
      insert into comparison_sessions (id, user_id, prompt, system, status, final_event_id, created_at, updated_at)
        values ('s1', 'u1', 'Why?', 'Be brief', 'completed', 3, 1700000000000, 1700000001000);
      insert into model_responses (id, session_id, position, model_id, provider, response, status,
          input_tokens, output_tokens, cached_input_tokens, cost, response_time_ms, time_to_first_token_ms,
          error_message, created_at, updated_at)
        values
          ('r1', 's1', 0, 'gpt-4o-mini', 'openai', 'Because 😀', 'completed', 12, 3, 2, 0.0123, 900, 120,
           null, 1700000000000, 1700000001000),
          ('r2', 's1', 1, 'claude-haiku-4-5', 'anthropic', 'Part', 'error', 10, 1, 0, 0.004, null, 200,
           'The provider is overloaded', 1700000000000, 1700000001000);
      insert into session_event_batches (session_id, first_id, last_id, events)
        values ('s1', 1, 3, 'model_chunk {"chunk":"Because 😀"}' || char(10) || 'model_complete {}' || char(10) || 'comparison_complete {}');
    `);
    old.close();

    const { db, close } = openDatabase(path);
    const store = createSqliteSessionStore(db);
    const found = await store.findForUser('u1', 's1');
    await close();
    expect(found?.session).toMatchObject({
      prompt: 'Why?',
      system: 'Be brief',
      status: 'completed',
      finalEventId: 3,
      turn: 1,
      parentId: null,
      rootId: null,
      blind: false,
      revealedAt: null,
    });
    expect(found?.session.createdAt.getTime()).toBe(1700000000000);
    expect(found?.responses).toEqual([
      expect.objectContaining({
        id: 'r1',
        position: 0,
        response: 'Because 😀',
        reasoning: '',
        status: 'completed',
        inputTokens: 12,
        outputTokens: 3,
        cachedInputTokens: 2,
        cacheWriteInputTokens: 0,
        cost: 0.0123,
        responseTimeMs: 900,
        timeToFirstTokenMs: 120,
        // What the old release never recorded is unknown, not invented.
        finishReason: null,
        costSource: null,
        usageSource: null,
        price: null,
        reasoningTokens: null,
        timeToFirstReasoningMs: null,
      }),
      expect.objectContaining({
        id: 'r2',
        response: 'Part',
        status: 'error',
        cost: 0.004,
        errorMessage: 'The provider is overloaded',
      }),
    ]);
  });

  it('a migrated database takes new sessions and lists old and new together', async () => {
    const path = join(dir, 'db.sqlite');
    const old = releaseDatabase(path, 2);
    old.exec(`
      insert into users (id) values ('u1');
      insert into comparison_sessions (id, user_id, prompt, status, created_at, updated_at)
        values ('old', 'u1', 'p', 'completed', 1700000000000, 1700000000000);
      insert into model_responses (id, session_id, position, model_id, provider, response, status, cost)
        values ('r1', 'old', 0, 'm', 'openai', 'text', 'completed', 0.5);
    `);
    old.close();
    const { db, close } = openDatabase(path);
    const store = createSqliteSessionStore(db);
    await store.create({
      id: 'new',
      userId: 'u1',
      prompt: 'follow-up',
      parentId: 'old',
      rootId: 'old',
      turn: 2,
      responses: [{ id: 'r2', modelId: 'm', provider: 'openai' }],
    });
    const list = await store.listForUser('u1', 10, 0);
    const thread = await store.thread('u1', 'old');
    await close();
    expect(list.sessions.map((s) => [s.id, s.turn])).toEqual([
      ['new', 2],
      ['old', 1],
    ]);
    expect(list.responses.find((r) => r.id === 'r1')?.cost).toBe(0.5);
    expect(thread.map((s) => s.id)).toEqual(['old', 'new']);
  });
});
