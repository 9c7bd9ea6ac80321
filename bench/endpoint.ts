// OpenAI-compatible endpoint vs OpenAI: server CPU per relayed chunk, one server, one provider: npx tsx bench/endpoint.ts
// Both paths are the openai-chat wire through the official SDK against the same loopback provider; the
// endpoint path adds what endpoints add (the model from MODELS_FILE, its quirk functions per chunk).
// Optional arguments: concurrent comparisons, deltas per model, repeats (defaults 50, 40, 3).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { appEnv } from './app-env.js';
import type { StreamSpec } from './bench-spec.js';
import { startChild, startProvider } from './children.js';
import { getJson } from './http-client.js';
import { comparePaths, describeFigures } from './relay-cpu.js';
import { tokenRing } from './token.js';
import type { RelayTarget } from './workloads.js';

const CONCURRENCY = Number(process.argv[2] ?? 50);
const DELTAS = Number(process.argv[3] ?? 40);
const REPEATS = Number(process.argv[4] ?? 3);
const secret = 'bench-endpoint-secret-at-least-32-characters!';
const work = mkdtempSync(join(tmpdir(), 'bench-endpoint-'));

const provider = await startProvider(work);
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
  env: appEnv(
    { providerUrl: provider.url, secret, anthropic: false },
    { DATABASE_PATH: join(work, 'bench.sqlite'), COMPAT_KEY: 'compat-bench-key', MODELS_FILE: modelsFile },
  ),
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
const figures = await comparePaths(
  {
    openai: { child: server, target: paths.openai as RelayTarget },
    endpoint: { child: server, target: paths.endpoint as RelayTarget },
  },
  spec,
  CONCURRENCY,
  REPEATS,
);
const o = figures.openai;
const e = figures.endpoint;
if (!o || !e) throw new Error('no figures');
console.log(
  `${CONCURRENCY} comparisons at once, 2 models x ${DELTAS} deltas every 20 ms, ${REPEATS} repeats (medians), persistence on, node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`,
);
console.log(describeFigures('OpenAI (gpt-4o-mini + gpt-4.1-mini)', o));
console.log(describeFigures('endpoint (compat/bench-a + compat/bench-b)', e));
console.log(`endpoint / OpenAI, CPU per chunk: ${(e.cpuPerChunkUs / o.cpuPerChunkUs).toFixed(2)}`);

await server.close();
await provider.close();
rmSync(work, { recursive: true, force: true });
