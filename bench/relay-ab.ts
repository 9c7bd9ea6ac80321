// Two builds of the app in one run, interleaved: the relay block's figures of A (this checkout) and B (another).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appEnv, BENCH_SECRET } from './app-env.js';
import { startChild, startProvider } from './children.js';
import { type RelayBlockResult, type RelayPaths, relayChunkBlock, relayTtftBlock } from './relay-blocks.js';
import type { SinglePath } from './single-workloads.js';
import { median, round } from './stats.js';
import { tokenRing } from './token.js';

/**
 * Back-to-back runs of the relay block moved the CPU per chunk of the same code by ±10% on this
 * machine, so a step smaller than that cannot be told from one run per build. Here both builds
 * run as servers side by side against one provider, and every repeat runs A, B, B, A (the order
 * flips each repeat) with the bare relay and the provider read directly beside them: each pair of
 * figures shares the machine's state of that minute, and B / A is a median of per-repeat ratios.
 *
 *   npx tsx bench/relay-ab.ts --b-root ../other-checkout [--repeats 5] [--level 200]
 *   npx tsx bench/relay-ab.ts --b-node-flags "--max-semi-space-size=32"   (B: this checkout, other flags)
 *
 * The other checkout needs its node_modules (a symlink to this one's does, with the same lock file).
 */
const arg = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const bRoot = arg('b-root');
const bNodeFlags = (arg('b-node-flags') ?? '').split(' ').filter(Boolean);
if (!bRoot && bNodeFlags.length === 0) {
  console.error(
    'usage: npx tsx bench/relay-ab.ts (--b-root <checkout> | --b-node-flags "<flags>") [--repeats N] [--level N]',
  );
  process.exit(2);
}
// Odd, so that the median of the per-repeat ratios is one of them (stats.ts takes the lower middle).
const repeats = Number(arg('repeats', '5'));
const level = Number(arg('level', '200'));
const work = mkdtempSync(join(tmpdir(), 'relay-ab-'));
const secret = BENCH_SECRET;

const provider = await startProvider(work);
const startApp = async (name: string, root?: string, flags: string[] = []) => {
  const child = await startChild({
    name,
    entry: 'bench/server-entry.ts',
    env: appEnv(
      { providerUrl: provider.url, secret },
      { DATABASE_PATH: join(work, `${name}.sqlite`), LOG_LEVEL: 'info' },
    ),
    nodeFlags: ['--expose-gc', ...flags],
    logFile: join(work, `${name}.log`),
    ...(root ? { root: resolve(root) } : {}),
  });
  const token = tokenRing(secret, `ab-${name}`);
  return { child, target: { url: child.url, token, models: { openai: 'gpt-5-mini', anthropic: '' } } };
};
const a = await startApp('a');
const b = await startApp('b', bRoot, bNodeFlags);
const bareRelay = await startChild({
  name: 'bare-relay',
  entry: 'bench/bare-relay-entry.ts',
  env: { UPSTREAM_URL: provider.url },
  nodeFlags: ['--expose-gc'],
  logFile: join(work, 'bare-relay.log'),
});
const pathsOf = (app: typeof a): RelayPaths => ({ provider, bareRelay, app, model: 'gpt-5-mini' });

const chunkSpec = { deltas: 100, intervalMs: 20, firstDelayMs: 0, stamp: true };
const ttftSpec = { deltas: 20, intervalMs: 20, firstDelayMs: 10, stamp: true };
type Build = 'a' | 'b';
const results: { build: Build; ttft: RelayBlockResult; chunk: RelayBlockResult; direct: number }[] = [];
const once = async (build: Build, path: SinglePath, repeat: number, warmup: boolean) => {
  const paths = pathsOf(build === 'a' ? a : b);
  const ttft = await relayTtftBlock(paths, path, { level: 50, rounds: 4, spec: ttftSpec }, repeat, warmup);
  const chunk = await relayChunkBlock(paths, path, { level, rounds: 1, spec: chunkSpec }, repeat, warmup);
  return { ttft, chunk };
};
// Two warm-ups each: the first measured B block after one was still a third slower than the rest.
for (let w = 0; w < 2; w++) for (const build of ['a', 'b'] as const) await once(build, 'relay-on', 0, true);
const bare: number[] = [];
const bareSetUp: number[] = [];
for (let r = 0; r < repeats; r++) {
  const direct = await once('a', 'direct', r, false);
  const directTtft = direct.ttft.metrics.ttftP50Ms ?? Number.NaN;
  const floor = await once('a', 'bare-relay', r, false);
  bare.push(floor.chunk.metrics.streamingCpuUsPerChunk ?? Number.NaN);
  bareSetUp.push(floor.chunk.metrics.setupCpuMsPerStream ?? Number.NaN);
  for (const build of r % 2 === 0 ? (['a', 'b', 'b', 'a'] as const) : (['b', 'a', 'a', 'b'] as const)) {
    const { ttft, chunk } = await once(build, 'relay-on', r, false);
    results.push({ build, ttft, chunk, direct: directTtft });
    console.log(
      `repeat ${r + 1} ${build.toUpperCase()}: CPU/chunk ${round(chunk.metrics.streamingCpuUsPerChunk ?? Number.NaN)} µs, set-up ${round(chunk.metrics.setupCpuMsPerStream ?? Number.NaN)} ms, added TTFT p50 at 50 ${round((ttft.metrics.ttftP50Ms ?? Number.NaN) - directTtft)} ms${chunk.errors + ttft.errors > 0 ? `, ERRORS ${chunk.firstErrors.join(' | ')}` : ''}`,
    );
  }
}

const figures = {
  'server CPU per chunk at level (µs)': (r: (typeof results)[number]) =>
    r.chunk.metrics.streamingCpuUsPerChunk,
  'server CPU per stream set-up (ms)': (r: (typeof results)[number]) => r.chunk.metrics.setupCpuMsPerStream,
  'added TTFT p50 at 50 (ms)': (r: (typeof results)[number]) =>
    (r.ttft.metrics.ttftP50Ms ?? Number.NaN) - r.direct,
  'per-chunk p50 at level (ms, not added)': (r: (typeof results)[number]) => r.chunk.metrics.chunkP50Ms,
};
console.log(
  `\nA = ${process.cwd()}, B = ${bRoot ? resolve(bRoot) : process.cwd()}${bNodeFlags.length ? ` with ${bNodeFlags.join(' ')}` : ''}; ${repeats} repeats of A B B A / B A A B, level ${level}`,
);
console.log(
  `bare relay: CPU per chunk median ${round(median(bare))} µs, set-up per stream median ${round(median(bareSetUp))} ms (per repeat ${bareSetUp.map(round).join(' ')})`,
);
for (const [name, get] of Object.entries(figures)) {
  const ratios: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const of = (build: Build) =>
      median(
        results.filter((x) => x.build === build && x.chunk.repeat === r).map((x) => get(x) ?? Number.NaN),
      );
    ratios.push(of('b') / of('a'));
  }
  const all = (build: Build) => results.filter((x) => x.build === build).map((x) => get(x) ?? Number.NaN);
  console.log(
    `${name.replace('level', String(level))}: A ${round(median(all('a')))}, B ${round(median(all('b')))}, B / A per repeat ${ratios.map((x) => round(x)).join(' ')} (median ${round(median(ratios))})`,
  );
}
await Promise.all([a.child.close(), b.child.close(), bareRelay.close(), provider.close()]);
rmSync(work, { recursive: true, force: true });
process.exit(0);
