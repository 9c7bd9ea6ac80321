// The entry point as a real process: start, create and migrate the database, stop gracefully on signals.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from './helper.js';
import { startServerProcess } from './support/process.js';

const dir = mkdtempSync(join(tmpdir(), 'playground-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('server process', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'starts, migrates its database and exits 0 on %s',
    async (signal) => {
      const dbPath = join(dir, `${signal}.sqlite`);
      const server = startServerProcess({
        DATABASE_PATH: dbPath,
        JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'info',
      });
      const url = await server.url;
      const r = await fetch(`${url}/`);
      expect(r.status).toBe(200);
      expect(existsSync(dbPath)).toBe(true);

      server.child.kill(signal);
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('closed cleanly');
      // The database was closed cleanly: the WAL was folded in and the file opens with every table.
      expect(existsSync(`${dbPath}-wal`)).toBe(false);
      const db = new Database(dbPath, { readonly: true });
      const n = db
        .prepare("select count(*) as n from sqlite_master where name = 'comparison_sessions'")
        .get();
      db.close();
      expect(n).toEqual({ n: 1 });
    },
    30_000,
  );

  it('refuses to start on a bad setting with one line naming it', async () => {
    const server = startServerProcess({ DATABASE_PATH: join(dir, 'bad.sqlite'), PORT: 'abc' });
    expect((await server.exited).code).toBe(1);
    expect(server.output().trim()).toBe('Invalid configuration: PORT must be a whole number');
  }, 30_000);
});
