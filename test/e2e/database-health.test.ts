// A database the process cannot write, or whose files are deleted while it runs: /health says so (503).
import { chmodSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { type ServerProcess, startServerProcess } from '../support/process.js';
import { signHs256 } from '../support/tokens.js';

const SECRET = 'e2e-database-health-secret-0123456789ab';
const dir = mkdtempSync(join(tmpdir(), 'playground-dbhealth-'));
// The read-only file's server may run as another user, who must be able to make the -shm file here.
chmodSync(dir, 0o777);
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const server of running) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

function start(dbPath: string, as?: { uid: number; gid: number }) {
  const server = startServerProcess({ DATABASE_PATH: dbPath, JWT_SECRET: SECRET, LOG_LEVEL: 'info' }, as);
  running.push(server);
  return server;
}

const newUser = (sub: string) => ({ authorization: `Bearer ${signHs256({ sub }, SECRET)}` });

describe('database health of the real process', () => {
  it('a database file the process may not write: /health 503, and a write answers the 503 envelope', async () => {
    const dbPath = join(dir, 'read-only.sqlite');
    // Created and migrated first, then made read-only, as an operator's mistake would leave it.
    await openDatabase(dbPath).close();
    chmodSync(dbPath, 0o444);
    // root writes any file whatever its mode: run the server as nobody, to whom the mode applies.
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
    const url = await start(dbPath, as).url;

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      status: 'degraded',
      database: { reachable: true, writable: false, problem: 'the database is read-only' },
    });
    // A user seen for the first time is stored: that write fails, and says why in the envelope.
    const me = await fetch(`${url}/auth/me`, { headers: newUser('first-visit') });
    expect(me.status).toBe(503);
    expect(await me.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'STORAGE_UNAVAILABLE',
      message: 'The database is unavailable; try again shortly',
      timestamp: expect.any(String),
    });
  }, 30_000);

  it('database files deleted while running: /health turns 503', async () => {
    const dbPath = join(dir, 'deleted.sqlite');
    const url = await start(dbPath).url;
    const before = await fetch(`${url}/health`);
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({
      database: { reachable: true, writable: true, problem: null },
    });

    for (const suffix of ['', '-wal', '-shm']) unlinkSync(`${dbPath}${suffix}`);
    const after = await fetch(`${url}/health`);
    expect(after.status).toBe(503);
    expect(await after.json()).toMatchObject({
      status: 'degraded',
      database: {
        writable: false,
        problem: 'the database file was deleted or replaced while the server runs',
      },
    });
  }, 30_000);
});
