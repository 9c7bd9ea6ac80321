// `npm run bench`: the relay against the provider server read directly, and a bare SSE server, in one run.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appEnv } from './app-env.js';
import {
  type BlockResult,
  chunkBlock,
  memoryBlock,
  type Paths,
  throughputBlock,
  ttftBlock,
  type Variant,
} from './blocks.js';
import { type BenchChild, startChild, startProvider } from './children.js';
import { agent, getJson } from './http-client.js';
import { type BenchOptions, parseOptions } from './options.js';
import { type RelayBlockResult, type RelayPaths, relayChunkBlock, relayTtftBlock } from './relay-blocks.js';
import { relayTargets, renderRelay, summariseRelay } from './relay-report.js';
import { render, summarise, targets } from './report.js';
import type { SinglePath } from './single-workloads.js';
import { round } from './stats.js';
import { tokenRing } from './token.js';
import { directComparison, type RelayTarget, relayComparison } from './workloads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const opts = parseOptions(process.argv.slice(2), process.env);
const work = mkdtempSync(join(tmpdir(), 'playground-bench-'));
const secret = randomBytes(32).toString('hex');
const profileDir = join(root, 'bench', 'profiles');
const started = performance.now();
/** Other work on the machine skews every figure: recorded at the start and the end of the run. */
const loadAtStart = loadavg().map(round);
let databases = 0;

const git = (...args: string[]) => {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

function log(line: string) {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[${seconds}s] ${line}`);
}

function serverEnv(variant: 'relay-on' | 'relay-off', providerUrl: string, o: BenchOptions) {
  return appEnv(
    { providerUrl, secret },
    {
      // Persistence on: the batched writes go to a SQLite file (WAL), as in production. Off: an in-memory database.
      DATABASE_PATH: variant === 'relay-on' ? join(work, `bench-${++databases}.sqlite`) : ':memory:',
      LOG_LEVEL: o.logLevel,
      BENCH_ELD_RESOLUTION_MS: String(o.eldResolutionMs),
    },
  );
}

let serverCount = 0;
async function startServer(variant: 'relay-on' | 'relay-off', providerUrl: string, o: BenchOptions) {
  const name = `server-${variant}-${++serverCount}`;
  const flags = ['--expose-gc', ...o.serverNodeFlags];
  if (o.profile) {
    mkdirSync(profileDir, { recursive: true });
    // Default file names: they carry the pid and thread id (tsx's loader thread writes one too).
    flags.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  }
  const child = await startChild({
    name,
    entry: 'bench/server-entry.ts',
    env: serverEnv(variant, providerUrl, o),
    nodeFlags: flags,
    logFile: join(work, `${name}.log`),
  });
  const token = tokenRing(secret, `bench-${variant}`);
  const models = await getJson(`${child.url}/comparison/models/available`, {
    authorization: `Bearer ${token(0)}`,
  });
  const list = Array.isArray(models.body) ? (models.body as { id: string; provider: string }[]) : [];
  const { openai, anthropic } = o.models;
  for (const [id, provider] of [
    [openai, 'openai'],
    [anthropic, 'anthropic'],
  ] as const)
    if (!list.some((m) => m.id === id && m.provider === provider))
      throw new Error(
        `${name}: ${id} is not an available ${provider} model (${models.status}): see --models`,
      );
  const target: RelayTarget = { url: child.url, token, models: { openai, anthropic } };
  return { child, target };
}

async function startBare(o: BenchOptions) {
  return startChild({
    name: `bare-sse-${++serverCount}`,
    entry: 'bench/bare-sse-entry.ts',
    env: { BENCH_ELD_RESOLUTION_MS: String(o.eldResolutionMs) },
    nodeFlags: ['--expose-gc'],
    logFile: join(work, `bare-${serverCount}.log`),
  });
}

async function startBareRelay(o: BenchOptions, providerUrl: string) {
  return startChild({
    name: `bare-relay-${++serverCount}`,
    entry: 'bench/bare-relay-entry.ts',
    env: { UPSTREAM_URL: providerUrl, BENCH_ELD_RESOLUTION_MS: String(o.eldResolutionMs) },
    nodeFlags: ['--expose-gc'],
    logFile: join(work, `bare-relay-${serverCount}.log`),
  });
}

function describeRelay(r: RelayBlockResult): string {
  const m = Object.entries(r.metrics)
    .filter(([k]) => !k.startsWith('tenth') || k === 'tenth1P50Ms' || k === 'tenth10P50Ms')
    .map(([k, v]) => `${k} ${round(v)}`)
    .join(', ');
  const errs = r.errors > 0 ? `, ERRORS ${r.errors}: ${r.firstErrors.join(' | ')}` : '';
  return `${r.section} ${r.path} level ${r.level}${r.warmup ? ' (warm-up)' : ` #${r.repeat + 1}`}: ${m}${errs}`;
}

/** The relay block: every level on every path, warm-up first, the order of the paths rotated per repeat. */
async function relaySection(paths: RelayPaths, o: BenchOptions, record: (r: RelayBlockResult) => void) {
  const order: SinglePath[] = ['direct', 'bare-relay', 'relay-on'];
  const r = o.relay;
  const ttft = (level: number) =>
    level === 1
      ? { level, rounds: r.ttftRoundsAtOne, spec: r.ttftShortSpec }
      : { level, rounds: r.ttftRounds, spec: r.ttftSpec };
  const chunk = (level: number) => ({
    level,
    rounds: level === 1 ? r.chunkRoundsAtOne : 1,
    spec: r.chunkSpec,
  });
  // Warm-ups at the highest level too: the first block at 200 streams of a server cost up to twice the
  // set-up CPU per stream of the next ones (the bare relay's too), a first-time cost, not a set-up's.
  const top = Math.max(50, ...r.chunkLevels);
  for (const p of order) {
    record(await relayTtftBlock(paths, p, { ...ttft(50), rounds: 2 }, 0, true));
    record(await relayChunkBlock(paths, p, { ...chunk(top), spec: { ...r.chunkSpec, deltas: 20 } }, 0, true));
  }
  for (let repeat = 0; repeat < o.repeats; repeat++)
    for (const p of rotate(order, repeat)) {
      for (const level of r.ttftLevels) record(await relayTtftBlock(paths, p, ttft(level), repeat, false));
      for (const level of r.chunkLevels) record(await relayChunkBlock(paths, p, chunk(level), repeat, false));
    }
}

/** Every repeat starts with a different path, so that no path always runs first (or last). */
const rotate = <T>(list: T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length] as T);

function describe(r: BlockResult): string {
  const m = Object.entries(r.metrics)
    .filter(([k]) => k !== 'samples' && k !== 'frames')
    .map(([k, v]) => `${k} ${round(v)}`)
    .join(', ');
  const eld = r.server
    ? `, server ELD p99 ${round(r.server.eventLoopDelayP99Ms)} ms, server CPU ${round(r.server.cpuMs)} ms (system ${round(r.server.cpuSystemMs)})`
    : '';
  const client = `, client CPU ${round(r.client.cpuMs)} ms, provider CPU ${round(r.providerCpuMs)} ms, in ${round(r.client.wallMs)} ms`;
  const errs = r.errors > 0 ? `, ERRORS ${r.errors}: ${r.firstErrors.join(' | ')}` : '';
  return `${r.section} ${r.variant} level ${r.level}${r.warmup ? ' (warm-up)' : ` #${r.repeat + 1}`}: ${m}${eld}${client}${errs}`;
}

let succeeded = false;

async function main() {
  const results: BlockResult[] = [];
  const relayResults: RelayBlockResult[] = [];
  const record = (r: BlockResult) => {
    log(describe(r));
    if (!r.warmup) results.push(r);
  };
  log(`options: ${JSON.stringify({ ...opts, sections: opts.sections.join(',') })}`);
  const provider = await startProvider(work);
  const children: BenchChild[] = [provider];
  try {
    const on = await startServer('relay-on', provider.url, opts);
    children.push(on.child);
    const off = await startServer('relay-off', provider.url, opts);
    children.push(off.child);
    const bare = await startBare(opts);
    children.push(bare);
    const paths: Paths = {
      provider,
      providerUrl: provider.url,
      models: on.target.models,
      relay: { 'relay-on': on, 'relay-off': off },
      bare,
    };
    log(
      `provider ${provider.url}, relay (file DB) ${on.child.url}, relay (:memory:) ${off.child.url}, bare ${bare.url}`,
    );
    log(`models: ${paths.models.openai} (OpenAI wire), ${paths.models.anthropic} (Anthropic wire)`);

    // A first comparison on every path must work before anything is timed.
    const probeSpec = { deltas: 5, intervalMs: 1, firstDelayMs: 0, stamp: true };
    for (const s of [
      await directComparison(provider.url, paths.models, probeSpec, true),
      await relayComparison(on.target, 0, probeSpec, true),
      await relayComparison(off.target, 0, probeSpec, true),
    ])
      if (s.error) throw new Error(`sanity comparison failed: ${s.error}`);

    // Warm-up: JIT, connection pools and prepared statements, on every path.
    const warm = { deltas: 20, intervalMs: 1, firstDelayMs: 0, stamp: true };
    for (const v of ['direct', 'relay-on', 'relay-off'] as const)
      record(await ttftBlock(paths, v, { concurrency: 10, comparisons: 100, spec: warm }, 0, true));

    if (opts.sections.includes('relay')) {
      const bareRelay = await startBareRelay(opts, provider.url);
      children.push(bareRelay);
      log(`bare relay ${bareRelay.url}`);
      const relayPaths: RelayPaths = { provider, bareRelay, app: on, model: paths.models.openai };
      await relaySection(relayPaths, opts, (r) => {
        log(describeRelay(r));
        if (!r.warmup) relayResults.push(r);
      });
    }

    const latencyVariants: Variant[] = ['direct', 'relay-on', 'relay-off'];
    if (opts.sections.includes('ttft')) {
      for (const concurrency of opts.ttft.concurrency) {
        const t = opts.ttft;
        const o =
          concurrency === 1
            ? { concurrency, comparisons: t.comparisonsAtOne, spec: t.shortSpec }
            : { concurrency, comparisons: t.comparisons, spec: t.spec };
        for (const v of latencyVariants)
          record(await ttftBlock(paths, v, { ...o, comparisons: Math.ceil(o.comparisons / 4) }, 0, true));
        for (let r = 0; r < opts.repeats; r++)
          for (const v of rotate(latencyVariants, r)) record(await ttftBlock(paths, v, o, r, false));
      }
    }
    if (opts.sections.includes('chunk')) {
      for (const concurrency of opts.chunk.concurrency) {
        const o = { concurrency, rounds: opts.chunk.rounds, spec: opts.chunk.spec };
        for (const v of latencyVariants)
          record(await chunkBlock(paths, v, { ...o, spec: { ...o.spec, deltas: 10 } }, 0, true));
        for (let r = 0; r < opts.repeats; r++)
          for (const v of rotate(latencyVariants, r)) record(await chunkBlock(paths, v, o, r, false));
      }
    }
    if (opts.sections.includes('throughput')) {
      // Direct: the provider server read as fast as the client can, the ceiling a relay on the same cores can reach.
      const variants: Variant[] = ['bare', 'direct', 'relay-on', 'relay-off'];
      const o = opts.throughput;
      for (const v of variants)
        record(await throughputBlock(paths, v, { ...o, frames: Math.ceil(o.frames / 4) }, 0, true));
      for (let r = 0; r < opts.repeats; r++)
        for (const v of rotate(variants, r)) record(await throughputBlock(paths, v, o, r, false));
    }
    const peaks: Record<string, number> = {};
    for (const [v, s] of [
      ['relay-on', on.child],
      ['relay-off', off.child],
    ] as const)
      peaks[v] = round((await s.stats()).maxRssBytes / 1024 / 1024);
    log(`peak RSS of the long-running servers (MiB): ${JSON.stringify(peaks)}`);

    if (opts.sections.includes('memory')) {
      // Direct: the provider server read as fast as the client can, the ceiling a relay on the same cores can reach.
      const variants: Variant[] = ['bare', 'direct', 'relay-on', 'relay-off'];
      for (let r = 0; r < opts.repeats; r++) {
        for (const v of rotate(variants, r)) {
          for (const section of ['memory-subscribers', 'memory-comparisons'] as const) {
            if (v === 'bare' && section === 'memory-comparisons') continue;
            const fresh =
              v === 'bare'
                ? { child: await startBare(opts) }
                : await startServer(v as 'relay-on' | 'relay-off', provider.url, opts);
            try {
              if ('target' in fresh) {
                // Warm the fresh server up (a few comparisons) so its idle reading is a running server's.
                const p = { ...paths, relay: { ...paths.relay, [v]: fresh } };
                await ttftBlock(p, v, { concurrency: 10, comparisons: 50, spec: warm }, 0, true);
              }
              record(await memoryBlock(section, v, fresh, opts.memory, r));
            } finally {
              await fresh.child.close();
            }
          }
        }
      }
    }

    const relaySummary = summariseRelay(relayResults);
    const relayGoals = relayTargets(relaySummary, !opts.quick);
    const summary = { ...summarise(results), peakRssMiB: peaks, relay: relaySummary };
    const goals = targets(summary, !opts.quick);
    const commit = git('rev-parse', 'HEAD');
    const shortSha = git('rev-parse', '--short', 'HEAD') || 'nogit';
    const meta = {
      date: new Date().toISOString(),
      commit,
      branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
      dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      memoryGiB: round(totalmem() / 1024 ** 3),
      node: process.version,
      os: `${process.platform} ${release()}`,
      durationSeconds: round((performance.now() - started) / 1000),
      loadAverage: { start: loadAtStart, end: loadavg().map(round) },
      peakRssMiB: peaks,
      persistence:
        'on: DATABASE_PATH is a SQLite file (WAL, synchronous=NORMAL), the production setting; off: DATABASE_PATH=:memory:. The same SQL runs in both: off removes the file I/O, not the statements.',
      paths: {
        direct: 'the loopback provider server read straight by the load generator (raw node:http)',
        relay: 'POST /comparison then GET streamUrl through the app (real OpenAI and Anthropic SDK adapters)',
        bare: 'a node:http handler writing the same model_chunk frames, one res.write each, honouring backpressure',
      },
    };
    const report = render(summary, goals, !opts.quick);
    console.log(
      `\n${meta.cpu}, ${meta.cores} cores, Node ${meta.node}, commit ${shortSha}${meta.dirty ? ' (uncommitted changes)' : ''}, ${opts.repeats} repeat(s), ${meta.durationSeconds} s`,
    );
    console.log(report);
    if (relayResults.length > 0) console.log(renderRelay(relaySummary, relayGoals));
    if (opts.write) {
      const dir = join(root, 'bench', 'results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${meta.date.slice(0, 10)}-${shortSha}${opts.quick ? '-quick' : ''}.json`);
      writeFileSync(
        file,
        `${JSON.stringify(
          {
            meta,
            options: opts,
            summary,
            targets: goals,
            relayTargets: relayGoals,
            blocks: results,
            relayBlocks: relayResults,
          },
          null,
          2,
        )}\n`,
      );
      console.log(`\nwrote ${file}`);
    }
    for (const [section, script] of [
      ['endpoint', 'bench/endpoint.ts'],
      ['scale-out', 'bench/scale-out.ts'],
    ] as const)
      if (opts.sections.includes(section)) {
        // Each its own script with its own servers (they stay runnable alone); the machine is quiet
        // again by now, as the children above are idle.
        log(`${section}: ${script}`);
        const args = opts.quick ? ['10', '20', '1'] : [];
        const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
          cwd: root,
          encoding: 'utf8',
        });
        console.log(`\n## ${section} (${script})\n${run.stdout.trim()}`);
        if (run.status !== 0)
          console.log(`${section} did not finish: ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
      }
    if (opts.profile)
      console.log(`CPU profiles in ${profileDir} (summarise: npx tsx bench/profile-summary.ts <file>)`);
    succeeded = true;
  } finally {
    await Promise.allSettled(children.map((c) => c.close()));
    agent.destroy();
    // The servers' logs and databases stay for a look when the run failed.
    if (succeeded && !process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(`the children's logs are in ${work}`);
  process.exitCode = 1;
});
