// SIGTERM with a comparison running, as an operator stops the real process: grace, cancel, record, exit 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/process.js';
import { openSse } from '../support/sse-client.js';
import { signHs256 } from '../support/tokens.js';

const SECRET = 'e2e-shutdown-secret-0123456789abcdef0123';
const dir = mkdtempSync(join(tmpdir(), 'playground-shutdown-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shutdown of the server process', () => {
  it('cancels and records a running comparison after the grace period, ends its stream and exits 0', async () => {
    const dbPath = join(dir, 'db.sqlite');
    const server = startServerProcess({
      DATABASE_PATH: dbPath,
      JWT_SECRET: SECRET,
      DEMO_MODELS: 'true',
      SHUTDOWN_GRACE_MS: '300',
      LOG_LEVEL: 'info',
    });
    const url = await server.url;
    const token = signHs256({ sub: 'operator-user' }, SECRET);
    const created = await fetch(`${url}/comparison`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'A long answer please', modelIds: ['demo-slow'] }),
    });
    expect(created.status).toBe(201);
    const { sessionId, streamUrl } = (await created.json()) as { sessionId: string; streamUrl: string };
    const stream = openSse(new URL(streamUrl, url).href);
    expect(await stream.status).toBe(200);

    server.child.kill('SIGTERM');
    const { ended } = await stream.done;
    expect(ended).toBe(true);
    expect(stream.events.at(-1)).toMatchObject({ event: 'comparison_error', data: { error: 'cancelled' } });
    expect(await server.exited).toEqual({ code: 0, signal: null });

    const db = new Database(dbPath, { readonly: true });
    const session = db
      .prepare('select status, error_message from comparison_sessions where id = ?')
      .get(sessionId);
    const response = db.prepare('select status from model_responses where session_id = ?').get(sessionId);
    db.close();
    expect(session).toEqual({ status: 'cancelled', error_message: 'Cancelled: the server shut down' });
    expect(response).toEqual({ status: 'cancelled' });
  }, 30_000);
});
