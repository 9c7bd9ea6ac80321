// Test helpers: an app on :memory: built from the real config loader, with logs captured.
import { Writable } from 'node:stream';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/** A log sink whose lines the test can read back. */
export function captureLogs() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { stream, lines, text: () => lines.join('\n') };
}

export function testConfig(env: Record<string, string | undefined> = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_PATH: ':memory:',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/** An app on :memory: with logs captured; `setup` may add test-only routes before it is ready. */
export async function buildTestApp(
  env: Record<string, string | undefined> = {},
  setup?: (app: App) => Promise<unknown> | unknown,
) {
  const logs = captureLogs();
  const app = await buildApp(testConfig({ LOG_LEVEL: 'info', ...env }), { logStream: logs.stream });
  await setup?.(app);
  await app.ready();
  return Object.assign(app, { logs });
}
