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
    async stamp() {
      // count(*) reads the smallest index: a few milliseconds at 100,000 votes.
      const row = db.$client
        .prepare<[], { n: number; latest: number | null }>(
          'select count(*) as n, max(created_at) as latest from votes',
        )
        .get();
      return `${row?.n ?? 0}:${row?.latest ?? 0}`;
    },
    async tally({ userId, blindOnly }) {
      // One indexed pass: a vote counts when no later vote of the same user on the same session
      // exists (votes_session_idx); grouping happens in SQLite, so 100,000 votes come back as the
      // few thousand distinct (models, choice) rows the fit needs instead of 100,000 parsed objects.
      const rows = db.$client
        .prepare<
          [{ user: string | null; blindOnly: number }],
          { models: string; choice: string; count: number }
        >(
          `select v.models as models, v.choice as choice, count(*) as count
             from votes v
            where (@user is null or v.user_id = @user)
              and (@blindOnly = 0 or (v.blind = 1 and v.leaked = 0))
              and not exists (
                select 1 from votes w
                 where w.session_id = v.session_id and w.user_id = v.user_id
                   and (w.created_at > v.created_at or (w.created_at = v.created_at and w.id > v.id)))
            group by v.models, v.choice`,
        )
        .all({ user: userId ?? null, blindOnly: blindOnly ? 1 : 0 });
      return rows.map((r) => ({
        models: JSON.parse(r.models) as string[],
        choice: r.choice,
        count: r.count,
      }));
    },
  };
}
