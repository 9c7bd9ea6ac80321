// SIGTERM with the default grace period and a provider that hangs: 503s that say why, then exit 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../support/process.js';
import { type ProviderServer, startProviderServer } from '../support/provider-server.js';
import { openSse } from '../support/sse-client.js';
import { signHs256 } from '../support/tokens.js';

const SECRET = 'e2e-shutdown-grace-secret-0123456789abcd';
const token = signHs256({ sub: 'operator-user' }, SECRET);
const dir = mkdtempSync(join(tmpdir(), 'playground-grace-'));
let provider: ProviderServer;
beforeAll(async () => {
  // One word, then silence: the comparison runs until it is cancelled.
  provider = await startProviderServer({ text: 'Hello there, friend', hangAfter: 1 });
});
afterAll(async () => {
  await provider.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A server with the default SHUTDOWN_GRACE_MS (10 s) whose OpenAI models hang. */
function startHangingServer(name: string): { server: ServerProcess; dbPath: string } {
  const dbPath = join(dir, `${name}.sqlite`);
  const server = startServerProcess({
    DATABASE_PATH: dbPath,
    JWT_SECRET: SECRET,
    DEMO_MODELS: 'false',
    OPENAI_API_KEY: 'sk-test-grace',
    OPENAI_BASE_URL: provider.openaiBaseURL,
    LOG_LEVEL: 'info',
  });
  return { server, dbPath };
}

async function post(url: string, path: string, body: unknown) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function startHangingComparison(url: string) {
  const created = await post(url, '/comparison', { prompt: 'Hang, please', modelIds: ['gpt-4o-mini'] });
  expect(created.status).toBe(201);
  const { sessionId, streamUrl } = (await created.json()) as { sessionId: string; streamUrl: string };
  const stream = openSse(new URL(streamUrl, url).href);
  await stream.waitFor((e) => e.event === 'model_chunk');
  return { sessionId, stream };
}

function storedSession(dbPath: string, sessionId: string) {
  const db = new Database(dbPath, { readonly: true });
  const row = db.prepare('select status, error_message from comparison_sessions where id = ?').get(sessionId);
  db.close();
  return row;
}

/** pino's error (50) and fatal (60) lines in the process's output. */
const errorLines = (output: string) => output.split('\n').filter((l) => /"level":(50|60)/.test(l));

describe('shutdown with the default grace period', () => {
  it('answers 503 "shutting down" during the grace, then cancels, records and exits 0', async () => {
    const { server, dbPath } = startHangingServer('grace');
    const url = await server.url;
    const { sessionId, stream } = await startHangingComparison(url);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));

    const refused = await post(url, '/comparison', { prompt: 'One more', modelIds: ['gpt-4o-mini'] });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SHUTTING_DOWN',
      message: 'The server is shutting down; try again shortly',
      timestamp: expect.any(String),
    });
    const restream = await fetch(`${url}/comparison/${sessionId}/stream`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(restream.status).toBe(503);
    expect(await restream.json()).toMatchObject({
      message: 'The server is shutting down; try again shortly',
    });

    const { ended } = await stream.done;
    expect(ended).toBe(true);
    expect(stream.events.at(-1)).toMatchObject({ event: 'comparison_error', data: { error: 'cancelled' } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    // The whole grace period was honoured, and nothing was cut short.
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(10_000);
    expect(server.output()).toContain('closed cleanly');
    expect(errorLines(server.output())).toEqual([]);
    expect(storedSession(dbPath, sessionId)).toEqual({
      status: 'cancelled',
      error_message: 'Cancelled: the server shut down',
    });
  }, 40_000);

  it('a second SIGTERM cancels and records at once, and the process still exits 0', async () => {
    const { server, dbPath } = startHangingServer('twice');
    const url = await server.url;
    const { sessionId, stream } = await startHangingComparison(url);
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const secondAt = Date.now();
    server.child.kill('SIGTERM');

    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - secondAt).toBeLessThan(3000);
    const { ended } = await stream.done;
    expect(ended).toBe(true);
    expect(stream.events.at(-1)).toMatchObject({ event: 'comparison_error', data: { error: 'cancelled' } });
    expect(storedSession(dbPath, sessionId)).toEqual({
      status: 'cancelled',
      error_message: 'Cancelled: the server shut down',
    });
    expect(errorLines(server.output())).toEqual([]);
  }, 30_000);
});
