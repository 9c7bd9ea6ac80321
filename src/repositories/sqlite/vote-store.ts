// The SQLite VoteStore: votes on sessions, newest first per session when read back.
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { votes } from '../../db/schema.js';
import type { StoredVote, VoteStore } from '../types.js';

export function createSqliteVoteStore(db: Db): VoteStore {
  return {
    async insert(vote: StoredVote) {
      db.insert(votes).values(vote).run();
    },
    async forSession(userId: string, sessionId: string) {
      return db
        .select()
        .from(votes)
        .where(eq(votes.sessionId, sessionId))
        .orderBy(desc(votes.createdAt))
        .all()
        .filter((v) => v.userId === userId);
    },
    async listForUser(userId: string) {
      return db.select().from(votes).where(eq(votes.userId, userId)).orderBy(asc(votes.createdAt)).all();
    },
    async listAll() {
      return db.select().from(votes).orderBy(asc(votes.createdAt)).all();
    },
  };
}
