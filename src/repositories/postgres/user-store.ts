// The Postgres UserStore: as SQLite's, users stored on first sight of their token's `sub`, claims a token lacks kept.
import { eq, sql } from 'drizzle-orm';
import type { PgDb } from '../../db/pg-client.js';
import { users } from '../../db/pg-schema.js';
import type { AuthUser, UserStore } from '../types.js';
import { pgTextOrNull } from './text.js';

const MAX_REMEMBERED = 10_000;

export function createPostgresUserStore(db: PgDb): UserStore {
  // Per user: the claims we last stored and the profile that resulted, so a request with the same
  // claims costs no query at all.
  const remembered = new Map<string, { claims: string; profile: AuthUser }>();
  const columns = { id: users.id, email: users.email, name: users.name };

  const load = async (id: string): Promise<AuthUser | undefined> =>
    (await db.select(columns).from(users).where(eq(users.id, id)))[0];

  return {
    findById: async (id) => remembered.get(id)?.profile ?? load(id),

    async upsert(user: AuthUser): Promise<AuthUser> {
      const claims = JSON.stringify([user.email, user.name]);
      const hit = remembered.get(user.id);
      if (hit?.claims === claims) return hit.profile;

      const now = new Date();
      const email = sql`coalesce(excluded.email, ${users.email})`;
      const name = sql`coalesce(excluded.name, ${users.name})`;
      const [written] = await db
        .insert(users)
        .values({
          id: user.id,
          email: pgTextOrNull(user.email),
          name: pgTextOrNull(user.name),
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: users.id,
          set: { email, name, updatedAt: now },
          // Only a real change touches the row (and its updatedAt).
          setWhere: sql`${email} is distinct from ${users.email} or ${name} is distinct from ${users.name}`,
        })
        .returning(columns);
      const profile = written ?? (await load(user.id)) ?? user;
      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.set(user.id, { claims, profile });
      return profile;
    },
  };
}
