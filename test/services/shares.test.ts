// The shares service over the real SQLite store, with a plain getter for the session view.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { Errors } from '../../src/errors.js';
import { createSqliteSessionStore } from '../../src/repositories/sqlite/session-store.js';
import { createSqliteSharesStore } from '../../src/repositories/sqlite/shares-store.js';
import { createSqliteUserStore } from '../../src/repositories/sqlite/user-store.js';
import type { SessionView } from '../../src/services/export/session-view.js';
import { createSharesService, snapshotOf } from '../../src/services/shares.js';
import { sessionView } from './export/fixtures.js';

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of opened.splice(0)) await close();
});

/** A view as the engine will one day give it, with blind flags. */
type BlindView = SessionView & { blind: boolean; revealed: boolean; userId: string; email: string };

async function setup(view: Partial<BlindView>) {
  const { db, close } = openDatabase(':memory:');
  opened.push(close);
  await createSqliteUserStore(db).upsert({ id: 'u1', email: 'u1@example.com', name: null });
  const id = randomUUID();
  await createSqliteSessionStore(db).create({ id, userId: 'u1', prompt: 'p', responses: [] });
  const full: BlindView = {
    ...sessionView({ id }),
    blind: false,
    revealed: false,
    userId: 'u1',
    email: 'u1@x',
    ...view,
  };
  const service = createSharesService<BlindView>({
    store: createSqliteSharesStore(db),
    getSession: (userId, sessionId) => {
      if (userId !== 'u1' || sessionId !== id) throw new Errors.NotFound('Comparison not found');
      return full;
    },
    refuseShare: (s) =>
      s.blind && !s.revealed ? 'A blind comparison can be shared once revealed' : undefined,
  });
  return { service, id };
}

describe('shares service', () => {
  it('refuses a blind session before its reveal with 409, and shares it after', async () => {
    const blind = await setup({ blind: true, revealed: false });
    await expect(blind.service.share('u1', blind.id)).rejects.toMatchObject({
      statusCode: 409,
      message: 'A blind comparison can be shared once revealed',
    });
    const revealed = await setup({ blind: true, revealed: true });
    expect((await revealed.service.share('u1', revealed.id)).created).toBe(true);
  });

  it('refuses a running session with 409 and a stranger with 404', async () => {
    const running = await setup({ status: 'in_progress' });
    await expect(running.service.share('u1', running.id)).rejects.toMatchObject({ statusCode: 409 });
    await expect(running.service.share('u2', running.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(running.service.revoke('u2', running.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('keeps only whitelisted fields: whatever else the view carries stays out', async () => {
    const { service, id } = await setup({});
    const { shareId } = await service.share('u1', id);
    const shared = await service.read(shareId);
    const text = JSON.stringify(shared);
    for (const leak of ['u1', 'email', 'blind', 'streamUrl', 'ticket', id]) expect(text).not.toContain(leak);
    expect(shared).toEqual({ ...snapshotOf(sessionView({ id })), sharedAt: expect.any(String) });
  });
});
