// Users: created on first sight of a `sub`, profile kept up to date, untouched when nothing changed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { users } from '../../src/db/schema.js';
import { createUsersRepository } from '../../src/repositories/users.js';

let opened: ReturnType<typeof openDatabase>;
beforeEach(() => {
  opened = openDatabase(':memory:');
});
afterEach(() => opened.sqlite.close());

const row = (id: string) =>
  opened.db
    .select()
    .from(users)
    .all()
    .find((u) => u.id === id);

describe('users repository', () => {
  it('stores a user on first sight', () => {
    const repo = createUsersRepository(opened.db);
    expect(repo.findById('u1')).toBeUndefined();
    repo.upsert({ id: 'u1', email: 'u1@example.com', name: 'One' });
    expect(repo.findById('u1')).toEqual({ id: 'u1', email: 'u1@example.com', name: 'One' });
    expect(row('u1')?.createdAt).toBeInstanceOf(Date);
  });

  it('keeps email and name up to date', async () => {
    const repo = createUsersRepository(opened.db);
    repo.upsert({ id: 'u1', email: 'old@example.com', name: 'Old' });
    const created = row('u1');
    await new Promise((r) => setTimeout(r, 5));
    expect(repo.upsert({ id: 'u1', email: 'new@example.com', name: 'New' })).toEqual({
      id: 'u1',
      email: 'new@example.com',
      name: 'New',
    });
    expect(repo.findById('u1')).toEqual({ id: 'u1', email: 'new@example.com', name: 'New' });
    const updated = row('u1');
    expect(updated?.createdAt).toEqual(created?.createdAt);
    expect(updated?.updatedAt.getTime()).toBeGreaterThan(created?.updatedAt.getTime() ?? 0);
  });

  it('a token without email or name keeps what an earlier one said, and returns it', () => {
    const repo = createUsersRepository(opened.db);
    repo.upsert({ id: 'u1', email: 'u1@example.com', name: 'One' });
    expect(repo.upsert({ id: 'u1', email: null, name: null })).toEqual({
      id: 'u1',
      email: 'u1@example.com',
      name: 'One',
    });
    expect(repo.upsert({ id: 'u1', email: null, name: 'Renamed' })).toEqual({
      id: 'u1',
      email: 'u1@example.com',
      name: 'Renamed',
    });
    // A fresh repository (another app on the same file) reads the stored profile back.
    expect(createUsersRepository(opened.db).upsert({ id: 'u1', email: null, name: null })).toEqual({
      id: 'u1',
      email: 'u1@example.com',
      name: 'Renamed',
    });
  });

  it('does not write when the profile is unchanged, even from a fresh repository', async () => {
    createUsersRepository(opened.db).upsert({ id: 'u1', email: 'a@example.com', name: 'A' });
    const before = row('u1')?.updatedAt.getTime();
    await new Promise((r) => setTimeout(r, 5));
    // A second app on the same database has no memory of the first write; the database guard holds.
    createUsersRepository(opened.db).upsert({ id: 'u1', email: 'a@example.com', name: 'A' });
    expect(row('u1')?.updatedAt.getTime()).toBe(before);
  });

  it('keeps users apart', () => {
    const repo = createUsersRepository(opened.db);
    repo.upsert({ id: 'auth0|a', email: null, name: null });
    repo.upsert({ id: 'auth0|b', email: 'b@example.com', name: null });
    expect(repo.findById('auth0|a')).toEqual({ id: 'auth0|a', email: null, name: null });
    expect(opened.db.select().from(users).all()).toHaveLength(2);
  });
});
