// `npx tsx bench/retention-check.ts`: does the server keep anything per comparison? Heap and RSS after full GCs.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { appEnv } from './app-env.js';
import { startChild, startProvider } from './children.js';
import { agent } from './http-client.js';
import { singleStream } from './single-workloads.js';
import { tokenRing } from './token.js';

/**
 * Rounds of comparisons (one OpenAI model, 20 deltas) against one fresh server with a file
 * database, a reading after full GCs after each; then one more after the finished sessions' event
 * logs have left memory (LOG_RETENTION: 60 s). What stays after that is retained per comparison.
 */
const rounds = Number(process.env.ROUNDS ?? 6);
const perRound = Number(process.env.PER_ROUND ?? 200);
const work = mkdtempSync(join(tmpdir(), 'playground-retention-'));
const secret = randomBytes(32).toString('hex');
const MiB = 1024 * 1024;

const provider = await startProvider(work);
const server = await startChild({
  name: 'server',
  entry: 'bench/server-entry.ts',
  nodeFlags: ['--expose-gc'],
  env: appEnv({ providerUrl: provider.url, secret }, { DATABASE_PATH: join(work, 'retention.sqlite') }),
  logFile: join(work, 'server.log'),
});
const target = {
  url: server.url,
  token: tokenRing(secret, 'retention'),
  models: { openai: 'gpt-5-mini', anthropic: '' },
};
const spec = { deltas: 20, intervalMs: 1, firstDelayMs: 0, stamp: true };
const where = { base: provider.url, target, model: 'gpt-5-mini' };

async function reading(label: string) {
  await server.gc();
  const s = await server.stats();
  console.log(
    `${label.padEnd(28)} heap ${(s.heapUsedBytes / MiB).toFixed(1)} MiB, external ${(s.externalBytes / MiB).toFixed(1)} MiB, RSS ${(s.rssBytes / MiB).toFixed(1)} MiB`,
  );
}

try {
  await reading('start');
  let done = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < perRound; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => singleStream('relay-on', where, (i + j) % 50, spec)),
      );
      const failed = batch.find((b) => b.error);
      if (failed) throw new Error(failed.error);
      await provider.request('forget');
    }
    done += perRound;
    await reading(`after ${done} comparisons`);
  }
  await sleep(65_000);
  await reading('65 s later (logs retired)');
} finally {
  await server.close();
  await provider.close();
  agent.destroy();
  rmSync(work, { recursive: true, force: true });
}
