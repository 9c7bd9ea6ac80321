// The UserStore contract: every engine's implementation passes these, through the interface alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserStore } from '../../src/repositories/types.js';
import type { MakeStores, StoreHarness } from './store-harness.js';

export function describeUserStore(name: string, makeStores: MakeStores) {
  describe(`UserStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let users: UserStore;
    beforeEach(async () => {
      harness = await makeStores();
      users = harness.stores.users;
    });
    afterEach(async () => {
      await harness.close();
    });

    it('stores a user on first sight', async () => {
      expect(await users.findById('u1')).toBeUndefined();
      expect(await users.upsert({ id: 'u1', email: 'u1@example.com', name: 'One' })).toEqual({
        id: 'u1',
        email: 'u1@example.com',
        name: 'One',
      });
      expect(await users.findById('u1')).toEqual({ id: 'u1', email: 'u1@example.com', name: 'One' });
      expect(await harness.reopen().users.findById('u1')).toEqual({
        id: 'u1',
        email: 'u1@example.com',
        name: 'One',
      });
    });

    it('keeps email and name up to date', async () => {
      await users.upsert({ id: 'u1', email: 'old@example.com', name: 'Old' });
      expect(await users.upsert({ id: 'u1', email: 'new@example.com', name: 'New' })).toEqual({
        id: 'u1',
        email: 'new@example.com',
        name: 'New',
      });
      expect(await users.findById('u1')).toEqual({ id: 'u1', email: 'new@example.com', name: 'New' });
      expect(await harness.reopen().users.findById('u1')).toEqual({
        id: 'u1',
        email: 'new@example.com',
        name: 'New',
      });
    });

    it('a token without email or name keeps what an earlier one said, and returns it', async () => {
      await users.upsert({ id: 'u1', email: 'u1@example.com', name: 'One' });
      expect(await users.upsert({ id: 'u1', email: null, name: null })).toEqual({
        id: 'u1',
        email: 'u1@example.com',
        name: 'One',
      });
      expect(await users.upsert({ id: 'u1', email: null, name: 'Renamed' })).toEqual({
        id: 'u1',
        email: 'u1@example.com',
        name: 'Renamed',
      });
      // A fresh store (another app on the same database) reads the stored profile back.
      expect(await harness.reopen().users.upsert({ id: 'u1', email: null, name: null })).toEqual({
        id: 'u1',
        email: 'u1@example.com',
        name: 'Renamed',
      });
    });

    it('what a second app stored is what a fresh store reads', async () => {
      await users.upsert({ id: 'u1', email: 'a@example.com', name: 'A' });
      await harness.reopen().users.upsert({ id: 'u1', email: 'b@example.com', name: null });
      expect(await harness.reopen().users.findById('u1')).toEqual({
        id: 'u1',
        email: 'b@example.com',
        name: 'A',
      });
    });

    it('keeps users apart', async () => {
      await users.upsert({ id: 'auth0|a', email: null, name: null });
      await users.upsert({ id: 'auth0|b', email: 'b@example.com', name: null });
      expect(await users.findById('auth0|a')).toEqual({ id: 'auth0|a', email: null, name: null });
      expect(await users.findById('auth0|b')).toEqual({ id: 'auth0|b', email: 'b@example.com', name: null });
      expect(await users.findById('auth0|c')).toBeUndefined();
    });
  });
}
