// The Postgres VoteStore: votes on sessions; the partial unique index refuses a second blind vote atomically.
import { asc, desc, eq, sql } from 'drizzle-orm';
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
    async stamp() {
      const { rows } = await db.execute<{ n: number; latest: string }>(
        sql`select count(*)::int as n,
                   coalesce((extract(epoch from max(created_at)) * 1000)::bigint, 0)::text as latest
              from votes`,
      );
      return `${rows[0]?.n ?? 0}:${rows[0]?.latest ?? 0}`;
    },
    async tally({ userId, blindOnly }) {
      // As SQLite's: a vote counts when no later vote of the same user on the same session exists
      // (votes_session_idx), grouped in the database; jsonb groups by value, so slot order counts.
      const { rows } = await db.execute<{ models: string[]; choice: string; count: number }>(
        sql`select v.models as models, v.choice as choice, count(*)::int as count
              from votes v
             where (${userId ?? null}::text is null or v.user_id = ${userId ?? null})
               and (not ${blindOnly} or (v.blind and not v.leaked))
               and not exists (
                 select 1 from votes w
                  where w.session_id = v.session_id and w.user_id = v.user_id
                    and (w.created_at > v.created_at or (w.created_at = v.created_at and w.id > v.id)))
             group by v.models, v.choice`,
      );
      return rows.map((r) => ({ models: r.models, choice: r.choice, count: r.count }));
    },
  };
}
