// A stored share row as the service's record, for every engine: the snapshot JSON parsed back through its schema.
import { sharedSnapshotSchema } from '../schemas/shares.js';
import type { ShareRecord } from '../services/shares.js';

export interface ShareRow {
  id: string;
  sessionId: string;
  userId: string;
  snapshot: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Stored JSON is parsed back through the schema, so a record's type is checked rather than asserted. */
export function toShareRecord(row: ShareRow): ShareRecord {
  return {
    id: row.id,
    sessionId: row.sessionId,
    userId: row.userId,
    snapshot: sharedSnapshotSchema.parse(JSON.parse(row.snapshot)),
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  };
}
