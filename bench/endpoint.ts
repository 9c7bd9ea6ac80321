// OpenAI-compatible endpoint vs OpenAI: server CPU per relayed chunk, one server, one provider: npx tsx bench/endpoint.ts
// Both paths are the openai-chat wire through the official SDK against the same loopback provider; the
// endpoint path adds what endpoints add (the model from MODELS_FILE, its quirk functions per chunk).
// Optional arguments: concurrent comparisons, deltas per model, repeats (defaults 50, 40, 3).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamSpec } from './bench-spec.js';
import { type BenchChild, startChild } from './children.js';
import { getJson } from './http-client.js';
import { median, percentile } from './stats.js';
import { tokenRing } from './token.js';
import { type ComparisonSample, type RelayTarget, relayComparison } from './workloads.js';

const CONCURRENCY = Number(process.argv[2] ?? 50);
const DELTAS = Number(process.argv[3] ?? 40);
const REPEATS = Number(process.argv[4] ?? 3);
const secret = 'bench-endpoint-secret-at-least-32-characters!';
const work = mkdtempSync(join(tmpdir(), 'bench-endpoint-'));

const provider = await startChild({
  name: 'provider',
  entry: 'bench/provider-entry.ts',
  env: {},
  logFile: join(work, 'provider.log'),
});
const modelsFile = join(work, 'models.yaml');
writeFileSync(
  modelsFile,
  [
    'endpoints:',
    '  - id: compat',
    '    name: Bench endpoint',
    `    baseURL: ${provider.url}/v1`,
    '    apiKeyEnv: COMPAT_KEY',
    '    models:',
    '      - id: bench-a',
    '        pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 }',
    '      - id: bench-b',
    '        pricing: { inputPerMillion: 0.15, outputPerMillion: 0.6 }',
    '',
  ].join('\n'),
);
const server = await startChild({
  name: 'server',
  entry: 'bench/server-entry.ts',
  env: {
    NODE_ENV: 'production',
    JWT_SECRET: secret,
    DATABASE_PATH: join(work, 'bench.sqlite'),
    OPENAI_API_KEY: 'sk-bench-dummy',
    OPENAI_BASE_URL: `${provider.url}/v1`,
    COMPAT_KEY: 'compat-bench-key',
    MODELS_FILE: modelsFile,
    DEMO_MODELS: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
    MAX_RUNNING_PER_USER: '1000',
    SHUTDOWN_GRACE_MS: '0',
  },
  nodeFlags: ['--expose-gc'],
  logFile: join(work, 'server.log'),
});

const token = tokenRing(secret, 'bench-endpoint');
const available = await getJson(`${server.url}/comparison/models/available`, {
  authorization: `Bearer ${token(0)}`,
});
const ids = (available.body as { id: string }[]).map((m) => m.id);
const paths: Record<string, RelayTarget> = {
  openai: { url: server.url, token, models: { openai: 'gpt-4o-mini', anthropic: 'gpt-4.1-mini' } },
  endpoint: { url: server.url, token, models: { openai: 'compat/bench-a', anthropic: 'compat/bench-b' } },
};
for (const target of Object.values(paths))
  for (const id of Object.values(target.models))
    if (!ids.includes(id)) throw new Error(`${id} is not available on the bench server: ${ids.join(', ')}`);

const spec: StreamSpec = { deltas: DELTAS, intervalMs: 20, firstDelayMs: 0, jitterMs: 20, stamp: true };

/** CONCURRENCY comparisons at once on one path: the server's CPU per relayed chunk and the chunk p50/p99. */
async function block(child: BenchChild, target: RelayTarget, round: number) {
  await child.gc();
  await child.reset();
  const samples: ComparisonSample[] = await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, i) =>
      relayComparison(target, round * CONCURRENCY + i, spec, true),
    ),
  );
  const stats = await child.stats();
  const failed = samples.filter((s) => s.error);
  if (failed.length > 0) throw new Error(`${failed.length} comparisons failed: ${failed[0]?.error}`);
  const chunks = samples.reduce((n, s) => n + s.chunks, 0);
  const latency = samples.flatMap((s) => s.chunkLatencyMs);
  return {
    cpuPerChunkUs: ((stats.cpuUserMs + stats.cpuSystemMs) * 1000) / chunks,
    chunkP50Ms: percentile(latency, 50),
    chunkP99Ms: percentile(latency, 99),
  };
}

const results: Record<string, { cpuPerChunkUs: number; chunkP50Ms: number; chunkP99Ms: number }[]> = {
  openai: [],
  endpoint: [],
};
await block(server, paths.openai as RelayTarget, 0); // warm-up: JIT, connection pools, the SQLite file
for (let r = 0; r < REPEATS; r++) {
  // Alternate which path goes first, so neither always runs on a warmer (or busier) machine.
  const order = r % 2 === 0 ? ['openai', 'endpoint'] : ['endpoint', 'openai'];
  for (const name of order)
    results[name]?.push(await block(server, paths[name] as RelayTarget, 1 + r * 2 + order.indexOf(name)));
}

const fmt = (name: string) => {
  const rows = results[name] ?? [];
  const m = (key: 'cpuPerChunkUs' | 'chunkP50Ms' | 'chunkP99Ms') => median(rows.map((x) => x[key]));
  return {
    cpu: m('cpuPerChunkUs'),
    p50: m('chunkP50Ms'),
    p99: m('chunkP99Ms'),
    all: rows.map((x) => x.cpuPerChunkUs),
  };
};
const o = fmt('openai');
const e = fmt('endpoint');
console.log(
  `${CONCURRENCY} comparisons at once, 2 models x ${DELTAS} deltas every 20 ms, ${REPEATS} repeats (medians), persistence on, node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`,
);
for (const [name, r] of [
  ['OpenAI (gpt-4o-mini + gpt-4.1-mini)', o],
  ['endpoint (compat/bench-a + compat/bench-b)', e],
] as const)
  console.log(
    `${name.padEnd(44)} server CPU per chunk ${r.cpu.toFixed(1).padStart(6)} us (runs ${r.all.map((x) => x.toFixed(0)).join(', ')}), added chunk p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
  );
console.log(`endpoint / OpenAI, CPU per chunk: ${(e.cpu / o.cpu).toFixed(2)}`);

await server.close();
await provider.close();
rmSync(work, { recursive: true, force: true });
