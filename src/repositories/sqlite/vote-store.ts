// The SQLite VoteStore: votes on sessions, newest first per session when read back.
import Database from 'better-sqlite3';
import { asc, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { votes } from '../../db/schema.js';
import type { StoredVote, VoteStore } from '../types.js';

const isUniqueViolation = (err: unknown) =>
  err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE';

export function createSqliteVoteStore(db: Db): VoteStore {
  return {
    async insert(vote: StoredVote) {
      try {
        db.insert(votes).values(vote).run();
        return true;
      } catch (err) {
        // votes_one_blind_idx: the session's one blind vote is in already.
        if (isUniqueViolation(err) || isUniqueViolation((err as { cause?: unknown }).cause)) return false;
        throw err;
      }
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
