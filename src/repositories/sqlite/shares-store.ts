// The SharesStore on SQLite (Drizzle over better-sqlite3): synchronous queries behind Promises.
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type Share, shares } from '../../db/schema.js';
import { sharedSnapshotSchema } from '../../schemas/shares.js';
import type { ShareRecord, SharesStore } from '../../services/shares.js';

/** Stored JSON is parsed back through the schema, so a record's type is checked rather than asserted. */
function toRecord(row: Share): ShareRecord {
  return {
    id: row.id,
    sessionId: row.sessionId,
    userId: row.userId,
    snapshot: sharedSnapshotSchema.parse(JSON.parse(row.snapshot)),
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}

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
