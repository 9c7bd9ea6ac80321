// The relay block: one OpenAI model per stream, straight, through a bare node:http relay, through the app.
import type { StreamSpec } from './bench-spec.js';
import type { BenchChild } from './children.js';
import { type CpuReading, cpuSpentMs, readCpu } from './proc-cpu.js';
import { type SinglePath, type StreamSample, singleStream } from './single-workloads.js';
import { percentile } from './stats.js';
import type { RelayTarget } from './workloads.js';

export interface RelayPaths {
  provider: BenchChild;
  bareRelay: BenchChild;
  /** The app with persistence on (a SQLite file). */
  app: { child: BenchChild; target: RelayTarget };
  model: string;
}

export interface RelayBlockResult {
  section: 'relay-ttft' | 'relay-chunk';
  path: SinglePath;
  /** Streams at once. */
  level: number;
  repeat: number;
  warmup: boolean;
  /** ttftP50Ms, ttftP99Ms | chunkP50Ms, chunkP99Ms, tenth1P50Ms..tenth10P50Ms, CPU, RSS, ELD. */
  metrics: Record<string, number>;
  errors: number;
  firstErrors: string[];
}

export const TENTHS = 10;

const spent = (from: CpuReading | undefined, to: CpuReading | undefined) =>
  from && to ? cpuSpentMs(from, to) : Number.NaN;

const serverOf = (paths: RelayPaths, path: SinglePath) =>
  path === 'direct' ? undefined : path === 'bare-relay' ? paths.bareRelay : paths.app.child;

function run(paths: RelayPaths, path: SinglePath, spec: StreamSpec) {
  const where = {
    base: path === 'bare-relay' ? paths.bareRelay.url : paths.provider.url,
    target: paths.app.target,
    model: paths.model,
  };
  // Users spread the app's per-user limits as many browsers would.
  return (i: number, ready?: (open: boolean) => void) => singleStream(path, where, i % 50, spec, ready);
}

function failures(samples: StreamSample[]) {
  const failed = samples.filter((s) => s.error);
  return {
    errors: failed.length,
    firstErrors: [...new Set(failed.map((s) => s.error as string))].slice(0, 3),
  };
}

export interface RelayTtftOptions {
  level: number;
  rounds: number;
  spec: StreamSpec;
}

/** `level` streams started at the same moment, `rounds` times, each round after the previous ended. */
export async function relayTtftBlock(
  paths: RelayPaths,
  path: SinglePath,
  o: RelayTtftOptions,
  repeat: number,
  warmup: boolean,
): Promise<RelayBlockResult> {
  await paths.provider.request('forget');
  const one = run(paths, path, o.spec);
  const samples: StreamSample[] = [];
  for (let r = 0; r < o.rounds; r++)
    samples.push(...(await Promise.all(Array.from({ length: o.level }, (_, i) => one(i)))));
  const ok = samples.filter((s) => !s.error);
  const ttft = ok.map((s) => s.ttftMs);
  const request = ok.map((s) => s.requestMs);
  return {
    section: 'relay-ttft',
    path,
    level: o.level,
    repeat,
    warmup,
    metrics: {
      ttftP50Ms: percentile(ttft, 50),
      ttftP99Ms: percentile(ttft, 99),
      // The way in: until the provider received the upstream request.
      requestP50Ms: percentile(request, 50),
      samples: ttft.length,
    },
    ...failures(samples),
  };
}

export interface RelayChunkOptions {
  level: number;
  rounds: number;
  /** Gated: the first delta of every stream waits until all are open, then a random 0..interval. */
  spec: StreamSpec;
}

/**
 * `level` gated streams: the server's CPU (from /proc, to the nanosecond) over the set-ups (first POST until the last
 * upstream request reached the provider), then over the streaming (release until the last stream
 * ended); per-chunk latency overall and by tenth of the stream (a growing backlog shows there).
 */
export async function relayChunkBlock(
  paths: RelayPaths,
  path: SinglePath,
  o: RelayChunkOptions,
  repeat: number,
  warmup: boolean,
): Promise<RelayBlockResult> {
  await paths.provider.request('forget');
  const server = serverOf(paths, path);
  await server?.reset();
  const spec = { ...o.spec, gated: true, firstDelayMs: 0, jitterMs: o.spec.intervalMs };
  const one = run(paths, path, spec);
  const samples: StreamSample[] = [];
  let setupMs = 0;
  let streamingMs = 0;
  let opened = 0;
  for (let round = 0; round < o.rounds; round++) {
    const cpu0 = server ? readCpu(server.pid) : undefined;
    let waiting = o.level;
    let open = 0;
    let allReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      allReady = resolve;
    });
    const streams = Array.from({ length: o.level }, (_, i) =>
      one(i, (isOpen) => {
        if (isOpen) open++;
        if (--waiting === 0) allReady();
      }),
    );
    await ready;
    await paths.provider.request('arrived', open, 70_000);
    const cpu1 = server ? readCpu(server.pid) : undefined;
    await paths.provider.request('release', open, 70_000);
    samples.push(...(await Promise.all(streams)));
    const cpu2 = server ? readCpu(server.pid) : undefined;
    setupMs += spent(cpu0, cpu1);
    streamingMs += spent(cpu1, cpu2);
    opened += open;
  }
  const ok = samples.filter((s) => !s.error);
  const all = ok.flatMap((s) => s.latency.map(([, ms]) => ms));
  const byTenth: number[][] = Array.from({ length: TENTHS }, () => []);
  for (const s of ok)
    for (const [index, ms] of s.latency)
      byTenth[Math.min(TENTHS - 1, Math.floor((index * TENTHS) / spec.deltas))]?.push(ms);
  const chunks = ok.reduce((n, s) => n + s.chunks, 0);
  const stats = server ? await server.stats() : undefined;
  const metrics: Record<string, number> = {
    chunkP50Ms: percentile(all, 50),
    chunkP99Ms: percentile(all, 99),
    samples: all.length,
    chunks,
    replayedExcluded: ok.reduce((n, s) => n + s.replayed, 0),
    setupCpuMsPerStream: setupMs / opened,
    streamingCpuUsPerChunk: (streamingMs * 1000) / chunks,
    peakRssMiB: stats ? stats.peakRssBytes / 1024 / 1024 : Number.NaN,
    eventLoopDelayP99Ms: stats?.eventLoopDelayMs.p99 ?? Number.NaN,
  };
  byTenth.forEach((values, i) => {
    metrics[`tenth${i + 1}P50Ms`] = percentile(values, 50);
  });
  return { section: 'relay-chunk', path, level: o.level, repeat, warmup, metrics, ...failures(samples) };
}
