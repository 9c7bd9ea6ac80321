// The VoteStore contract: every engine's implementation passes these, through the interface alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredVote, Stores } from '../../src/repositories/types.js';
import type { MakeStores, StoreHarness } from './store-harness.js';

const vote = (id: string, over: Partial<StoredVote> = {}): StoredVote => ({
  id,
  userId: 'u1',
  sessionId: 's1',
  choice: 'm1',
  reason: null,
  blind: false,
  allCompleted: true,
  secondsToVote: 1.5,
  models: ['m1', 'm2'],
  positions: [
    { slot: 'A', modelId: 'm1' },
    { slot: 'B', modelId: 'm2' },
  ],
  leaked: false,
  createdAt: new Date(1_780_000_000_000 + Number(id.slice(1))),
  ...over,
});

export function describeVoteStore(name: string, makeStores: MakeStores) {
  describe(`VoteStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let stores: Stores;
    beforeEach(async () => {
      harness = await makeStores();
      stores = harness.stores;
      for (const u of ['u1', 'u2']) await stores.users.upsert({ id: u, email: null, name: null });
      await stores.sessions.create({ id: 's1', userId: 'u1', prompt: 'p', blind: true, responses: [] });
      await stores.sessions.create({ id: 's2', userId: 'u2', prompt: 'p', responses: [] });
    });
    afterEach(async () => {
      await harness.close();
    });

    it('keeps every named vote of a session, newest first for its user only', async () => {
      expect(await stores.votes.insert(vote('v1'))).toBe(true);
      expect(await stores.votes.insert(vote('v2', { choice: 'tie' }))).toBe(true);
      expect(await stores.votes.insert(vote('v3', { userId: 'u2', sessionId: 's2' }))).toBe(true);
      expect((await stores.votes.forSession('u1', 's1')).map((v) => v.id)).toEqual(['v2', 'v1']);
      expect(await stores.votes.forSession('u2', 's1')).toEqual([]);
      expect((await stores.votes.listForUser('u1')).map((v) => v.id)).toEqual(['v1', 'v2']);
      expect((await stores.votes.listAll()).map((v) => v.id)).toEqual(['v1', 'v2', 'v3']);
    });

    it('refuses a second blind vote on a session, also from a second instance, storing nothing', async () => {
      expect(await stores.votes.insert(vote('v1', { blind: true, leaked: true }))).toBe(true);
      expect(await harness.reopen().votes.insert(vote('v2', { blind: true }))).toBe(false);
      const stored = await stores.votes.forSession('u1', 's1');
      expect(stored).toEqual([vote('v1', { blind: true, leaked: true })]);
    });
  });
}
