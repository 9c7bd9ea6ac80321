// The SQLite UserStore: users stored on first sight of their token's `sub`; email and name kept up to date from the tokens
// that carry them (Auth0 access tokens often carry neither, and must not erase what an earlier one said).
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { users } from '../../db/schema.js';
import type { AuthUser, UserStore } from '../types.js';

const MAX_REMEMBERED = 10_000;

export function createSqliteUserStore(db: Db): UserStore {
  // Per user: the claims we last stored and the profile that resulted, so a request with the same
  // claims costs no query at all.
  const remembered = new Map<string, { claims: string; profile: AuthUser }>();
  const columns = { id: users.id, email: users.email, name: users.name };

  const load = (id: string): AuthUser | undefined =>
    db.select(columns).from(users).where(eq(users.id, id)).get();

  /** A stream opened with a ticket looks its user up here: served from memory when the user was just seen. */
  function findById(id: string): AuthUser | undefined {
    return remembered.get(id)?.profile ?? load(id);
  }

  return {
    findById: async (id) => findById(id),

    /** Stores the user seen in a token and returns the stored profile (claims the token lacks kept). */
    async upsert(user: AuthUser): Promise<AuthUser> {
      const claims = JSON.stringify([user.email, user.name]);
      const hit = remembered.get(user.id);
      if (hit?.claims === claims) return hit.profile;

      const now = new Date();
      const email = sql`coalesce(excluded.email, ${users.email})`;
      const name = sql`coalesce(excluded.name, ${users.name})`;
      const written = db
        .insert(users)
        .values({ id: user.id, email: user.email, name: user.name, createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: users.id,
          set: { email, name, updatedAt: now },
          // Only a real change touches the row (and its updatedAt).
          setWhere: sql`${email} is not ${users.email} or ${name} is not ${users.name}`,
        })
        .returning(columns)
        .get();
      const profile = written ?? load(user.id) ?? user;
      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.set(user.id, { claims, profile });
      return profile;
    },
  };
}
