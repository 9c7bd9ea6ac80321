// The SQLite SharesStore against the store contract, on a real migrated database; plus SQLite's own cascade.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { createSqliteSessionStore } from '../../../src/repositories/sqlite/session-store.js';
import { createSqliteSharesStore } from '../../../src/repositories/sqlite/shares-store.js';
import { createSqliteUserStore } from '../../../src/repositories/sqlite/user-store.js';
import { sharesStoreContract, snapshot } from '../../support/shares-store-contract.js';

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of opened.splice(0)) await close();
});

async function database() {
  const { db, close } = openDatabase(':memory:');
  opened.push(close);
  const users = createSqliteUserStore(db);
  const sessions = createSqliteSessionStore(db);
  const sessionOf = async (userId: string) => {
    await users.upsert({ id: userId, email: `${userId}@example.com`, name: null });
    const sessionId = randomUUID();
    await sessions.create({ id: sessionId, userId, prompt: 'p', responses: [] });
    return { userId, sessionId };
  };
  return { db, owner: await sessionOf('owner'), other: await sessionOf('other') };
}

sharesStoreContract('sqlite', async () => {
  const { db, owner, other } = await database();
  return { store: createSqliteSharesStore(db), owner, other };
});

describe('SQLite shares table', () => {
  it("drops a session's links with the session (foreign key cascade)", async () => {
    const { db, owner } = await database();
    const store = createSqliteSharesStore(db);
    await store.insert({ id: 'gone-with-session', ...owner, snapshot: snapshot('p') });
    db.$client.prepare('delete from comparison_sessions where id = ?').run(owner.sessionId);
    expect(await store.findActive('gone-with-session')).toBeUndefined();
  });
});
