// The SharesStore contract: the same tests for every engine's store (SQLite now, Postgres next).
import { describe, expect, it } from 'vitest';
import type { SharedSnapshot } from '../../src/schemas/shares.js';
import type { SharesStore } from '../../src/services/shares.js';

export interface ContractFixture {
  store: SharesStore;
  /** Ids of a stored session and its owner, and of another user's session, for the foreign keys. */
  owner: { userId: string; sessionId: string };
  other: { userId: string; sessionId: string };
}

export const snapshot = (prompt: string): SharedSnapshot => ({
  prompt,
  system: null,
  temperature: 0.2,
  maxTokens: null,
  status: 'completed',
  errorMessage: null,
  responses: [
    {
      modelId: 'demo-fast',
      provider: 'demo',
      status: 'completed',
      response: 'Answer with "quotes" and ünïcode',
      inputTokens: 3,
      outputTokens: 9,
      cost: 0,
      costSource: null,
      timeToFirstTokenMs: 10,
      responseTimeMs: 40,
      tokensPerSecond: 300,
      errorMessage: null,
    },
  ],
  metrics: { totalTokens: 12, totalCost: 0, averageResponseTime: 40 },
  createdAt: '2025-03-04T10:11:12.000Z',
});

export function sharesStoreContract(engine: string, fixture: () => Promise<ContractFixture>) {
  describe(`SharesStore contract (${engine})`, () => {
    it('stores a link and reads its snapshot back as it was', async () => {
      const { store, owner } = await fixture();
      const created = await store.insert({ id: 'share-1', ...owner, snapshot: snapshot('p1') });
      expect(created).toMatchObject({ id: 'share-1', ...owner, revokedAt: null });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await store.findActive('share-1')).toEqual(created);
      expect(await store.findActive('share-unknown')).toBeUndefined();
    });

    it("finds the user's newest live link of a session, and only the user's", async () => {
      const { store, owner, other } = await fixture();
      await store.insert({ id: 'old', ...owner, snapshot: snapshot('p') });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.insert({ id: 'new', ...owner, snapshot: snapshot('p') });
      expect((await store.findActiveForSession(owner.userId, owner.sessionId))?.id).toBe('new');
      expect(await store.findActiveForSession(other.userId, owner.sessionId)).toBeUndefined();
    });

    it("revokes every live link of the user's session, no other", async () => {
      const { store, owner, other } = await fixture();
      await store.insert({ id: 'a', ...owner, snapshot: snapshot('p') });
      await store.insert({ id: 'b', ...owner, snapshot: snapshot('p') });
      await store.insert({ id: 'c', ...other, snapshot: snapshot('q') });
      expect(await store.revokeForSession(other.userId, owner.sessionId, new Date())).toBe(0);
      expect(await store.revokeForSession(owner.userId, owner.sessionId, new Date())).toBe(2);
      expect(await store.findActive('a')).toBeUndefined();
      expect(await store.findActive('b')).toBeUndefined();
      expect(await store.findActiveForSession(owner.userId, owner.sessionId)).toBeUndefined();
      expect((await store.findActive('c'))?.snapshot.prompt).toBe('q');
      expect(await store.revokeForSession(owner.userId, owner.sessionId, new Date())).toBe(0);
    });

    it('refuses a second link with the same id', async () => {
      const { store, owner } = await fixture();
      await store.insert({ id: 'dup', ...owner, snapshot: snapshot('p') });
      await expect(store.insert({ id: 'dup', ...owner, snapshot: snapshot('p') })).rejects.toThrow();
    });
  });
}
