// The real process and auth settings: a development run with no secret prints a working token once;
// production with no auth setting refuses to start, naming what is missing.
import { describe, expect, it } from 'vitest';
import { startServerProcess } from './support/process.js';

describe('server process: auth at start-up', () => {
  it('in development without JWT_SECRET or AUTH0_DOMAIN, prints a bearer token once, and it works', async () => {
    const server = startServerProcess({ DATABASE_PATH: ':memory:', LOG_LEVEL: 'info' });
    try {
      const url = await server.url;
      // The token line follows the listen line; give the write a moment to arrive.
      let tokens: string[] = [];
      for (let i = 0; i < 50 && tokens.length === 0; i++) {
        tokens = server.output().match(/^ey[\w-]+\.[\w-]+\.[\w-]+$/gm) ?? [];
        if (tokens.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(tokens).toHaveLength(1);
      const me = await fetch(`${url}/auth/me`, { headers: { authorization: `Bearer ${tokens[0]}` } });
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual({
        user: { id: 'local-dev-user', email: null, name: 'Local developer' },
      });
      expect((await fetch(`${url}/auth/me`)).status).toBe(401);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 30_000);

  it('in production without JWT_SECRET or AUTH0_DOMAIN, exits 1 with one line naming them', async () => {
    const server = startServerProcess({ DATABASE_PATH: ':memory:', NODE_ENV: 'production' });
    expect((await server.exited).code).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: JWT_SECRET is required in production/);
    expect(lines[0]).toMatch(/AUTH0_DOMAIN/);
  }, 30_000);

  it('in production with AUTH0_DOMAIN but no AUTH0_AUDIENCE, exits 1 naming AUTH0_AUDIENCE', async () => {
    const server = startServerProcess({
      DATABASE_PATH: ':memory:',
      NODE_ENV: 'production',
      AUTH0_DOMAIN: 'tenant.auth0.com',
    });
    expect((await server.exited).code).toBe(1);
    expect(server.output().trim()).toBe(
      'Invalid configuration: AUTH0_AUDIENCE is required when AUTH0_DOMAIN is set',
    );
  }, 30_000);
});
