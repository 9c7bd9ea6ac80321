// The Postgres SharesStore: share links and their snapshots (JSON text), as SQLite's.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { PgDb } from '../../db/pg-client.js';
import { shares } from '../../db/pg-schema.js';
import type { SharesStore } from '../../services/shares.js';
import { toShareRecord } from '../share-record.js';

export function createPostgresSharesStore(db: PgDb): SharesStore {
  return {
    async insert(share) {
      // JSON.stringify writes U+0000 as an escape, so the text never holds the one character Postgres refuses.
      const [row] = await db
        .insert(shares)
        .values({ ...share, snapshot: JSON.stringify(share.snapshot), createdAt: new Date() })
        .returning();
      if (!row) throw new Error('the share link was not stored');
      return toShareRecord(row);
    },

    async findActive(shareId) {
      const [row] = await db
        .select()
        .from(shares)
        .where(and(eq(shares.id, shareId), isNull(shares.revokedAt)));
      return row && toShareRecord(row);
    },

    async findActiveForSession(userId, sessionId) {
      const [row] = await db
        .select()
        .from(shares)
        .where(and(eq(shares.sessionId, sessionId), eq(shares.userId, userId), isNull(shares.revokedAt)))
        .orderBy(desc(shares.createdAt))
        .limit(1);
      return row && toShareRecord(row);
    },

    async revokeForSession(userId, sessionId, at) {
      const result = await db
        .update(shares)
        .set({ revokedAt: at })
        .where(and(eq(shares.sessionId, sessionId), eq(shares.userId, userId), isNull(shares.revokedAt)));
      return result.rowCount ?? 0;
    },
  };
}
