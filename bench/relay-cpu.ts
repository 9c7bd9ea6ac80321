// Server CPU per relayed chunk on one relay path: N comparisons at once, the server's own CPU read by its probe around them.
import type { StreamSpec } from './bench-spec.js';
import type { BenchChild } from './children.js';
import { median, percentile } from './stats.js';
import { type ComparisonSample, type RelayTarget, relayComparison } from './workloads.js';

export interface RelayFigures {
  cpuPerChunkUs: number;
  chunkP50Ms: number;
  chunkP99Ms: number;
}

/** `concurrency` comparisons at once through `target`: the server's CPU per relayed chunk and the added chunk latency. */
export async function relayCpuBlock(
  child: BenchChild,
  target: RelayTarget,
  spec: StreamSpec,
  concurrency: number,
  firstUser: number,
): Promise<RelayFigures> {
  await child.gc();
  await child.reset();
  const samples: ComparisonSample[] = await Promise.all(
    Array.from({ length: concurrency }, (_, i) => relayComparison(target, firstUser + i, spec, true)),
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

/**
 * Every path in turn, `repeats` times, the order alternating so that no path always runs first on a
 * warmer (or busier) machine; one warm-up block per path first. Medians per path.
 */
export async function comparePaths(
  paths: Record<string, { child: BenchChild; target: RelayTarget }>,
  spec: StreamSpec,
  concurrency: number,
  repeats: number,
) {
  const names = Object.keys(paths);
  const runs = Object.fromEntries(names.map((n) => [n, [] as RelayFigures[]]));
  let user = 0;
  const run = (name: string) => {
    const path = paths[name];
    if (!path) throw new Error(`no path ${name}`);
    const block = relayCpuBlock(path.child, path.target, spec, concurrency, user);
    user += concurrency;
    return block;
  };
  for (const name of names) await run(name);
  for (let r = 0; r < repeats; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) runs[name]?.push(await run(name));
  }
  return Object.fromEntries(
    names.map((n) => {
      const rows = runs[n] ?? [];
      const m = (key: keyof RelayFigures) => median(rows.map((x) => x[key]));
      return [
        n,
        {
          cpuPerChunkUs: m('cpuPerChunkUs'),
          chunkP50Ms: m('chunkP50Ms'),
          chunkP99Ms: m('chunkP99Ms'),
          cpuRuns: rows.map((x) => x.cpuPerChunkUs),
        },
      ];
    }),
  );
}

export const describeFigures = (label: string, f: RelayFigures & { cpuRuns: number[] }) =>
  `${label.padEnd(44)} server CPU per chunk ${f.cpuPerChunkUs.toFixed(1).padStart(6)} us (runs ${f.cpuRuns
    .map((x) => x.toFixed(0))
    .join(', ')}), added chunk p50 ${f.chunkP50Ms.toFixed(1)} ms, p99 ${f.chunkP99Ms.toFixed(1)} ms`;
