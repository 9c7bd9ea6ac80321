// Whole-comparison CPU, one at a time: the app (POST, GET, one delta, ending) against the bare relay (one request).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnv, BENCH_SECRET } from './app-env.js';
import { startChild, startProvider } from './children.js';
import { cpuSpentMs, readCpu } from './proc-cpu.js';
import { type SinglePath, singleStream } from './single-workloads.js';
import { signToken } from './token.js';

/**
 * One comparison at a time, so nothing queues: server CPU per comparison from /proc (its whole life,
 * set-up to ending), for the app with persistence on (a SQLite file) and for the bare pass-through
 * relay. `--app-flags="--cpu-prof --cpu-prof-dir=DIR"` profiles the app. About a minute.
 */
const flagArg = process.argv.find((a) => a.startsWith('--app-flags='));
const appFlags = (flagArg?.slice('--app-flags='.length) ?? '').split(' ').filter(Boolean);
/** SETUP_ENV: a JSON object of the app's environment variables over the defaults. */
function setupEnv(): Record<string, string> {
  try {
    return JSON.parse(process.env.SETUP_ENV ?? '{}') as Record<string, string>;
  } catch {
    console.error(`SETUP_ENV must be a JSON object, e.g. '{"LOG_LEVEL":"warn"}'`);
    process.exit(2);
  }
}
const overrides = setupEnv();
const work = mkdtempSync(join(tmpdir(), 'setup-sequential-'));
const secret = BENCH_SECRET;
const provider = await startProvider(work);
const app = await startChild({
  name: 'app',
  entry: 'bench/server-entry.ts',
  nodeFlags: appFlags,
  logFile: join(work, 'app.log'),
  env: appEnv(
    { providerUrl: provider.url, secret },
    {
      DATABASE_PATH: join(work, 'bench.sqlite'),
      LOG_LEVEL: 'info',
      // An experiment's settings over the defaults, e.g. SETUP_ENV='{"LOG_LEVEL":"warn"}'.
      ...overrides,
    },
  ),
});
const bare = await startChild({
  name: 'bare-relay',
  entry: 'bench/bare-relay-entry.ts',
  env: { UPSTREAM_URL: provider.url },
  logFile: join(work, 'bare-relay.log'),
});
const tokens = Array.from({ length: 50 }, (_, i) => signToken(secret, `user-${i}`));
const target = {
  url: app.url,
  token: (i: number) => tokens[i % tokens.length] as string,
  models: { openai: 'gpt-5-mini', anthropic: 'claude-haiku-4-5' },
};
const spec = { deltas: 1, intervalMs: 0, firstDelayMs: 0, stamp: true };

async function perComparison(path: SinglePath, n: number): Promise<number> {
  const pid = path === 'relay-on' ? app.pid : bare.pid;
  const before = readCpu(pid);
  for (let i = 0; i < n; i++) {
    const s = await singleStream(path, { base: bare.url, target, model: 'gpt-5-mini' }, i, spec);
    if (s.error) throw new Error(`${path}: ${s.error}`);
  }
  return cpuSpentMs(before, readCpu(pid)) / n;
}

await perComparison('relay-on', 300);
await perComparison('bare-relay', 300);
const rows: string[] = [];
for (let r = 0; r < 3; r++) {
  const us = await perComparison('relay-on', 600);
  const floor = await perComparison('bare-relay', 600);
  rows.push(`app ${us.toFixed(2)} ms, bare relay ${floor.toFixed(2)} ms (${(us / floor).toFixed(1)}x)`);
}
console.log(`server CPU per comparison, one at a time (3 rounds of 600):\n  ${rows.join('\n  ')}`);
await Promise.all([app.close(), bare.close(), provider.close()]);
rmSync(work, { recursive: true, force: true });
process.exit(0);
