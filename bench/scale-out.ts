// Postgres + Redis against SQLite in one process: server CPU per relayed chunk and added chunk latency, same run.
// npx tsx bench/scale-out.ts [concurrent comparisons] [deltas per model] [repeats]   (defaults 50, 40, 3)
// Needs Postgres on 127.0.0.1:5432 (BENCH_DATABASE_URL to point elsewhere) and a redis-server binary; it
// makes a database and a Redis of its own, and removes both.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { appEnv } from './app-env.js';
import type { StreamSpec } from './bench-spec.js';
import { type BenchChild, startChild, startProvider } from './children.js';
import { comparePaths, describeFigures } from './relay-cpu.js';
import { tokenRing } from './token.js';
import type { RelayTarget } from './workloads.js';

const CONCURRENCY = Number(process.argv[2] ?? 50);
const DELTAS = Number(process.argv[3] ?? 40);
const REPEATS = Number(process.argv[4] ?? 3);
const ADMIN_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const secret = 'bench-scale-out-secret-at-least-32-characters!';
const work = mkdtempSync(join(tmpdir(), 'bench-scale-out-'));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const database = `bench_${randomBytes(5).toString('hex')}`;
try {
  await admin(`create database ${database}`);
} catch (err) {
  console.log(`skipped: no Postgres to make a database on (${(err as Error).message})`);
  process.exit(0);
}
if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  await admin(`drop database if exists ${database}`);
  console.log('skipped: no redis-server binary to start a Redis of its own');
  process.exit(0);
}
const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${database}`;

const redisPort = await freePort();
const redis: ChildProcess = spawn(
  'redis-server',
  ['--port', String(redisPort), '--save', '', '--appendonly', 'no'],
  {
    stdio: 'ignore',
  },
);
await sleep(300);

const provider = await startProvider(work);
const start = (name: string, env: Record<string, string>): Promise<BenchChild> =>
  startChild({
    name,
    entry: 'bench/server-entry.ts',
    env: appEnv({ providerUrl: provider.url, secret, anthropic: false }, env),
    nodeFlags: ['--expose-gc'],
    logFile: join(work, `${name}.log`),
  });
const sqlite = await start('sqlite', { DATABASE_PATH: join(work, 'bench.sqlite') });
const shared = await start('postgres-redis', {
  DATABASE_URL: databaseUrl.toString(),
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
});

const target = (child: BenchChild, prefix: string): RelayTarget => ({
  url: child.url,
  token: tokenRing(secret, prefix),
  models: { openai: 'gpt-4o-mini', anthropic: 'gpt-4.1-mini' },
});
const spec: StreamSpec = { deltas: DELTAS, intervalMs: 20, firstDelayMs: 0, jitterMs: 20, stamp: true };
try {
  const figures = await comparePaths(
    {
      sqlite: { child: sqlite, target: target(sqlite, 'bench-sqlite') },
      shared: { child: shared, target: target(shared, 'bench-shared') },
    },
    spec,
    CONCURRENCY,
    REPEATS,
  );
  const s = figures.sqlite;
  const p = figures.shared;
  if (!s || !p) throw new Error('no figures');
  console.log(
    `${CONCURRENCY} comparisons at once, 2 OpenAI models x ${DELTAS} deltas every 20 ms, ${REPEATS} repeats (medians), node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(describeFigures('SQLite, one process', s));
  console.log(describeFigures('Postgres + Redis (one of several instances)', p));
  console.log(
    `Postgres + Redis / SQLite: CPU per chunk ${(p.cpuPerChunkUs / s.cpuPerChunkUs).toFixed(2)}, added chunk p50 ${(p.chunkP50Ms - s.chunkP50Ms).toFixed(1)} ms, p99 ${(p.chunkP99Ms - s.chunkP99Ms).toFixed(1)} ms more`,
  );
} finally {
  await shared.close();
  await sqlite.close();
  await provider.close();
  redis.kill('SIGKILL');
  await admin(`drop database if exists ${database} with (force)`);
  rmSync(work, { recursive: true, force: true });
}
