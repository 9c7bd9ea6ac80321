// The Postgres VoteStore: votes on sessions; the partial unique index refuses a second blind vote atomically.
import { asc, desc, eq } from 'drizzle-orm';
import type { PgDb } from '../../db/pg-client.js';
import { votes } from '../../db/pg-schema.js';
import type { StoredVote, VoteStore } from '../types.js';
import { isUniqueViolation } from './errors.js';
import { pgTextOrNull } from './text.js';

export function createPostgresVoteStore(db: PgDb): VoteStore {
  return {
    async insert(vote: StoredVote) {
      try {
        await db.insert(votes).values({ ...vote, reason: pgTextOrNull(vote.reason) });
        return true;
      } catch (err) {
        // votes_one_blind_idx: the session's one blind vote is in already.
        if (isUniqueViolation(err, 'votes_one_blind_idx')) return false;
        throw err;
      }
    },
    async forSession(userId: string, sessionId: string) {
      const rows = await db
        .select()
        .from(votes)
        .where(eq(votes.sessionId, sessionId))
        .orderBy(desc(votes.createdAt));
      return rows.filter((v) => v.userId === userId);
    },
    async listForUser(userId: string) {
      return db.select().from(votes).where(eq(votes.userId, userId)).orderBy(asc(votes.createdAt));
    },
    async listAll() {
      return db.select().from(votes).orderBy(asc(votes.createdAt));
    },
  };
}
