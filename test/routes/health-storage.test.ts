// /health probes writability on a real SQLite file, and storage failures answer the 503 envelope.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';
import { authHeaders } from '../support/tokens.js';

const dir = mkdtempSync(join(tmpdir(), 'playground-health-'));
let app: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  app = await buildTestApp({ DATABASE_PATH: join(dir, 'db.sqlite') });
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('/health and a database that cannot be written', () => {
  it('answers 200 on a writable file, and its probe leaves nothing behind', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ url: '/health' });
      expect(r.statusCode).toBe(200);
      expect(r.json().database).toEqual({ reachable: true, writable: true, problem: null });
    }
    expect(app.db.$client.inTransaction).toBe(false);
    const me = await app.inject({ url: '/auth/me', headers: authHeaders('after-probes') });
    expect(me.statusCode).toBe(200);
  });

  it('a read-only connection (query_only): /health 503, writes answer the 503 envelope, and it recovers', async () => {
    app.db.$client.pragma('query_only = ON');
    try {
      const health = await app.inject({ url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({
        status: 'degraded',
        database: { reachable: true, writable: false, problem: 'the database is read-only' },
      });
      const me = await app.inject({ url: '/auth/me', headers: authHeaders('never-seen-before') });
      expect(me.statusCode).toBe(503);
      expect(me.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'STORAGE_UNAVAILABLE',
        message: 'The database is unavailable; try again shortly',
        timestamp: expect.any(String),
      });
      expect(app.logs.text()).toContain('"sqliteCode":"SQLITE_READONLY"');
    } finally {
      app.db.$client.pragma('query_only = OFF');
    }
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });
});
