// Users: stored on first sight of their token's `sub`, email and name kept up to date.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { users } from '../db/schema.js';

export interface AuthUser {
  id: string;
  email: string | null;
  name: string | null;
}

export function createUsersRepository(db: Db) {
  // What we last wrote per user, so a request writes only when the profile changed.
  const known = new Map<string, string>();
  const MAX_KNOWN = 10_000;

  return {
    findById(id: string): AuthUser | undefined {
      return db
        .select({ id: users.id, email: users.email, name: users.name })
        .from(users)
        .where(eq(users.id, id))
        .get();
    },

    upsert(user: AuthUser): void {
      const fingerprint = `${user.email ?? ''}\u0000${user.name ?? ''}`;
      if (known.get(user.id) === fingerprint) return;
      const now = new Date();
      db.insert(users)
        .values({ id: user.id, email: user.email, name: user.name, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: users.id,
          set: { email: user.email, name: user.name, updatedAt: now },
          setWhere: sql`${users.email} is not ${user.email} or ${users.name} is not ${user.name}`,
        })
        .run();
      if (known.size >= MAX_KNOWN) known.clear();
      known.set(user.id, fingerprint);
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
