// The SharesStore on SQLite (Drizzle over better-sqlite3): synchronous queries behind Promises.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { shares } from '../../db/schema.js';
import type { SharesStore } from '../../services/shares.js';
import { toShareRecord as toRecord } from '../share-record.js';

export function createSqliteSharesStore(db: Db): SharesStore {
  return {
    async insert(share) {
      const row = db
        .insert(shares)
        .values({ ...share, snapshot: JSON.stringify(share.snapshot), createdAt: new Date() })
        .returning()
        .get();
      return toRecord(row);
    },

    async findActive(shareId) {
      const row = db
        .select()
        .from(shares)
        .where(and(eq(shares.id, shareId), isNull(shares.revokedAt)))
        .get();
      return row && toRecord(row);
    },

    async findActiveForSession(userId, sessionId) {
      const row = db
        .select()
        .from(shares)
        .where(and(eq(shares.sessionId, sessionId), eq(shares.userId, userId), isNull(shares.revokedAt)))
        .orderBy(desc(shares.createdAt))
        .get();
      return row && toRecord(row);
    },

    async revokeForSession(userId, sessionId, at) {
      const result = db
        .update(shares)
        .set({ revokedAt: at })
        .where(and(eq(shares.sessionId, sessionId), eq(shares.userId, userId), isNull(shares.revokedAt)))
        .run();
      return result.changes;
    },
  };
}
