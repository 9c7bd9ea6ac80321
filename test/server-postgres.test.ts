// The real server process on Postgres: starts, migrates, serves, exits 0 on SIGTERM; an unreachable one stops start-up.
import { afterAll, describe, expect, it } from 'vitest';
import { explainSkip, throwawayDatabase } from './support/postgres.js';
import { startServerProcess } from './support/process.js';

const SECRET = 'server-postgres-secret-0123456789abcdef';
const database = await throwawayDatabase();
const skipped = typeof database === 'string' ? database : undefined;
if (skipped) explainSkip('the server process on Postgres', skipped);

describe('the server process and DATABASE_URL', () => {
  it('refuses to start when Postgres does not answer, with one line that hides the password', async () => {
    const server = startServerProcess({
      JWT_SECRET: SECRET,
      DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/playground',
    });
    expect((await server.exited).code).toBe(1);
    const out = server.output();
    expect(out).toMatch(
      /Could not open the Postgres database postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/playground: /,
    );
    expect(out).not.toContain('hunter2');
    expect(out).not.toMatch(/\n\s+at /);
  }, 30_000);

  describe.skipIf(skipped !== undefined)('on a real server', () => {
    afterAll(async () => {
      if (typeof database !== 'string') await database.drop();
    });

    it('starts, migrates, answers /health, and exits 0 on SIGTERM', async () => {
      if (typeof database === 'string') return;
      const server = startServerProcess({
        JWT_SECRET: SECRET,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'info',
      });
      const url = await server.url;
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { database: unknown }).database).toEqual({
        reachable: true,
        writable: true,
        problem: null,
      });
      expect(server.output()).toContain('storing in Postgres');
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('closed cleanly');
    }, 30_000);
  });
});
