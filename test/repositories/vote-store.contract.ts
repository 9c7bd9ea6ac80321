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
    });

    it('changes its stamp with every stored vote, seen from a second instance too', async () => {
      const empty = await stores.votes.stamp();
      expect(await harness.reopen().votes.stamp()).toBe(empty);
      await stores.votes.insert(vote('v1'));
      const one = await harness.reopen().votes.stamp();
      expect(one).not.toBe(empty);
      await harness.reopen().votes.insert(vote('v2', { createdAt: new Date(1_780_000_000_000) }));
      expect(await stores.votes.stamp()).not.toBe(one);
    });

    it('tallies the newest vote of each user and session, grouped by models in slot order and choice', async () => {
      await stores.sessions.create({ id: 's3', userId: 'u1', prompt: 'p', blind: true, responses: [] });
      await stores.sessions.create({ id: 's4', userId: 'u1', prompt: 'p', responses: [] });
      // s1: re-voted, only the newest (tie) counts; s3: blind and leaked; s4: the other slot order.
      await stores.votes.insert(vote('v1'));
      await stores.votes.insert(vote('v2', { choice: 'tie' }));
      await stores.votes.insert(vote('v3', { sessionId: 's3', blind: true, leaked: true }));
      await stores.votes.insert(vote('v4', { sessionId: 's4', models: ['m2', 'm1'], choice: 'm1' }));
      await stores.votes.insert(vote('v5', { userId: 'u2', sessionId: 's2' }));
      await stores.votes.insert(vote('v6', { userId: 'u2', sessionId: 's2', choice: 'm2', blind: true }));
      const sorted = (rows: { models: string[]; choice: string; count: number }[]) =>
        [...rows].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

      expect(sorted(await stores.votes.tally({ blindOnly: false }))).toEqual(
        sorted([
          { models: ['m1', 'm2'], choice: 'tie', count: 1 },
          { models: ['m1', 'm2'], choice: 'm1', count: 1 },
          { models: ['m2', 'm1'], choice: 'm1', count: 1 },
          { models: ['m1', 'm2'], choice: 'm2', count: 1 },
        ]),
      );
      expect(await stores.votes.tally({ blindOnly: true })).toEqual([
        { models: ['m1', 'm2'], choice: 'm2', count: 1 },
      ]);
      expect(sorted(await stores.votes.tally({ userId: 'u1', blindOnly: false }))).toEqual(
        sorted([
          { models: ['m1', 'm2'], choice: 'tie', count: 1 },
          { models: ['m1', 'm2'], choice: 'm1', count: 1 },
          { models: ['m2', 'm1'], choice: 'm1', count: 1 },
        ]),
      );
      expect(await stores.votes.tally({ userId: 'u1', blindOnly: true })).toEqual([]);
    });

    it('refuses a second blind vote on a session, also from a second instance, storing nothing', async () => {
      expect(await stores.votes.insert(vote('v1', { blind: true, leaked: true }))).toBe(true);
      expect(await harness.reopen().votes.insert(vote('v2', { blind: true }))).toBe(false);
      const stored = await stores.votes.forSession('u1', 's1');
      expect(stored).toEqual([vote('v1', { blind: true, leaked: true })]);
    });
  });
}
