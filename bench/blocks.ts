// The measured blocks: time to first token, per-chunk latency, throughput and memory, each on one path.
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeSpec, now, type StreamSpec } from './bench-spec.js';
import type { ProbeStats } from './child-probe.js';
import type { BenchChild } from './children.js';
import { openStream, postJson } from './http-client.js';
import { percentile, sum } from './stats.js';
import {
  type ComparisonSample,
  cancelComparison,
  directComparison,
  emptySample,
  type Ready,
  type RelayTarget,
  relayComparison,
} from './workloads.js';

/** direct: the provider server read straight; relay-on/off: through the app, persistence on or off. */
export type Variant = 'direct' | 'bare' | 'relay-on' | 'relay-off';
export type Section = 'ttft' | 'chunk' | 'throughput' | 'memory-subscribers' | 'memory-comparisons';

export interface ServerSummary {
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  cpuMs: number;
  cpuSystemMs: number;
  wallMs: number;
  rssMiB: number;
  peakRssMiB: number;
}

export interface BlockResult {
  section: Section;
  variant: Variant;
  /** Concurrent comparisons (ttft, chunk), streams (throughput, memory). */
  level: number;
  repeat: number;
  warmup: boolean;
  metrics: Record<string, number>;
  /** The app server's (or bare server's) own figures during the block; absent for direct blocks. */
  server?: ServerSummary;
  client: { cpuMs: number; wallMs: number };
  /** The loopback provider server's CPU during the block: the third process on the same cores. */
  providerCpuMs: number;
  errors: number;
  firstErrors: string[];
}

export interface Paths {
  provider: BenchChild;
  providerUrl: string;
  models: { openai: string; anthropic: string };
  /** The app servers by persistence mode. */
  relay: Record<'relay-on' | 'relay-off', { child: BenchChild; target: RelayTarget }>;
  bare: BenchChild;
}

const MiB = 1024 * 1024;

function summarise(stats: ProbeStats): ServerSummary {
  return {
    eventLoopDelayP99Ms: stats.eventLoopDelayMs.p99,
    eventLoopDelayMaxMs: stats.eventLoopDelayMs.max,
    cpuMs: stats.cpuUserMs + stats.cpuSystemMs,
    cpuSystemMs: stats.cpuSystemMs,
    wallMs: stats.wallMs,
    rssMiB: stats.rssBytes / MiB,
    peakRssMiB: stats.peakRssBytes / MiB,
  };
}

type Measured = { metrics: Record<string, number>; samples: ComparisonSample[] };

/** Runs `work` with the server's probe reset before and read after, and the client's CPU beside it. */
async function measure(
  head: Omit<BlockResult, 'metrics' | 'server' | 'client' | 'providerCpuMs' | 'errors' | 'firstErrors'>,
  paths: Paths,
  server: BenchChild | undefined,
  work: () => Promise<Measured>,
): Promise<BlockResult> {
  await paths.provider.request('forget');
  await paths.provider.reset();
  await server?.reset();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { metrics, samples } = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const stats = server ? await server.stats() : undefined;
  const provider = await paths.provider.stats();
  const failed = samples.filter((s) => s.error);
  return {
    ...head,
    metrics,
    ...(stats ? { server: summarise(stats) } : {}),
    client: { cpuMs: (used.user + used.system) / 1000, wallMs },
    providerCpuMs: provider.cpuUserMs + provider.cpuSystemMs,
    errors: failed.length,
    firstErrors: [...new Set(failed.map((s) => s.error as string))].slice(0, 3),
  };
}

type RunOne = (user: number, ready?: Ready) => Promise<ComparisonSample>;

function oneComparison(paths: Paths, variant: Variant, spec: StreamSpec, latency: boolean): RunOne {
  if (variant === 'direct')
    return (_user, ready) => directComparison(paths.providerUrl, paths.models, spec, latency, ready);
  if (variant === 'bare') throw new Error('the bare server runs no comparisons');
  const { target } = paths.relay[variant];
  return (user, ready) => relayComparison(target, user, spec, latency, ready);
}

/**
 * Starts `count` gated comparisons at once, waits until every stream is open (or failed), then
 * has the provider release them all: what is measured is streaming, not the opening burst.
 */
async function gated(paths: Paths, server: BenchChild | undefined, count: number, run: RunOne) {
  let waiting = count;
  let open = 0;
  let allReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    allReady = resolve;
  });
  const runs = Array.from({ length: count }, (_, user) =>
    run(user, (isOpen) => {
      if (isOpen) open++;
      if (--waiting === 0) allReady();
    }),
  );
  await ready;
  // The server's figures from here on are the streaming's alone.
  await server?.reset();
  await paths.provider.reset();
  const releasedAt = now();
  // Two upstream streams per open comparison must have reached the provider before the release.
  await paths.provider.request('release', 2 * open, 70_000);
  return { samples: await Promise.all(runs), releasedAt };
}

const serverOf = (paths: Paths, variant: Variant) =>
  variant === 'direct' ? undefined : variant === 'bare' ? paths.bare : paths.relay[variant].child;

/** `concurrency` workers, each running comparisons back to back: always that many in flight. */
async function closedLoop(
  concurrency: number,
  perWorker: number,
  run: (user: number) => Promise<ComparisonSample>,
): Promise<ComparisonSample[]> {
  const samples: ComparisonSample[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; i < perWorker; i++) samples.push(await run(worker));
    }),
  );
  return samples;
}

export interface TtftOptions {
  concurrency: number;
  comparisons: number;
  spec: StreamSpec;
}

export function ttftBlock(paths: Paths, variant: Variant, o: TtftOptions, repeat: number, warmup: boolean) {
  const perWorker = Math.max(3, Math.ceil(o.comparisons / o.concurrency));
  return measure(
    { section: 'ttft', variant, level: o.concurrency, repeat, warmup },
    paths,
    serverOf(paths, variant),
    async () => {
      const samples = await closedLoop(
        o.concurrency,
        perWorker,
        oneComparison(paths, variant, o.spec, false),
      );
      const ok = samples.filter((s) => !s.error);
      const ttft = ok.flatMap((s) => s.ttftMs);
      const request = ok.flatMap((s) => s.requestMs);
      const firstChunk = ok.flatMap((s) => s.firstChunkMs);
      return {
        samples,
        metrics: {
          ttftP50Ms: percentile(ttft, 50),
          ttftP99Ms: percentile(ttft, 99),
          // The two halves: the way in (client start to the provider's receipt), the way out (first delta).
          requestP50Ms: percentile(request, 50),
          requestP99Ms: percentile(request, 99),
          firstChunkP50Ms: percentile(firstChunk, 50),
          firstChunkP99Ms: percentile(firstChunk, 99),
          samples: ttft.length,
        },
      };
    },
  );
}

export interface ChunkOptions {
  concurrency: number;
  rounds: number;
  /** Gated; each stream's first delta comes a random 0..intervalMs after the release. */
  spec: StreamSpec;
}

export function chunkBlock(paths: Paths, variant: Variant, o: ChunkOptions, repeat: number, warmup: boolean) {
  return measure(
    { section: 'chunk', variant, level: o.concurrency, repeat, warmup },
    paths,
    serverOf(paths, variant),
    async () => {
      const spec = { ...o.spec, gated: true, firstDelayMs: 0, jitterMs: o.spec.intervalMs };
      const run = oneComparison(paths, variant, spec, true);
      const samples: ComparisonSample[] = [];
      const server = serverOf(paths, variant);
      for (let round = 0; round < o.rounds; round++)
        samples.push(...(await gated(paths, server, o.concurrency, run)).samples);
      const ok = samples.filter((s) => !s.error);
      const latency = ok.flatMap((s) => s.chunkLatencyMs);
      return {
        samples,
        metrics: {
          chunkP50Ms: percentile(latency, 50),
          chunkP99Ms: percentile(latency, 99),
          samples: latency.length,
          chunks: sum(ok.map((s) => s.chunks)),
          replayedExcluded: sum(ok.map((s) => s.replayed)),
        },
      };
    },
  );
}

export interface ThroughputOptions {
  /** Streams at once: the relay runs half as many comparisons of two models. */
  streams: number;
  frames: number;
}

/** Frames per second from `startedAt` (the release, or the bare requests) to the last frame received. */
function framesPerSecond(samples: ComparisonSample[], startedAt: number) {
  const ok = samples.filter((s) => !s.error && s.chunks > 0);
  const last = Math.max(...ok.map((s) => s.lastChunkAt));
  const frames = sum(ok.map((s) => s.chunks));
  return { framesPerSecond: (frames / (last - startedAt)) * 1000, frames, streamingMs: last - startedAt };
}

export function throughputBlock(
  paths: Paths,
  variant: Variant,
  o: ThroughputOptions,
  repeat: number,
  warmup: boolean,
) {
  return measure(
    { section: 'throughput', variant, level: o.streams, repeat, warmup },
    paths,
    serverOf(paths, variant),
    async () => {
      if (variant === 'bare') {
        const startedAt = now();
        const samples = await Promise.all(
          Array.from({ length: o.streams }, () => bareStream(paths.bare.url, o.frames)),
        );
        return { samples, metrics: framesPerSecond(samples, startedAt) };
      }
      const spec = { deltas: o.frames, intervalMs: 0, firstDelayMs: 0, stamp: false, gated: true };
      const run = oneComparison(paths, variant, spec, false);
      const { samples, releasedAt } = await gated(
        paths,
        serverOf(paths, variant),
        Math.ceil(o.streams / 2),
        run,
      );
      return { samples, metrics: framesPerSecond(samples, releasedAt) };
    },
  );
}

async function bareStream(url: string, frames: number): Promise<ComparisonSample> {
  const sample = emptySample();
  const stream = openStream(`${url}/stream?frames=${frames}`, {
    onFrame(frame, at) {
      if (!frame.includes('event: model_chunk')) return;
      sample.chunks++;
      if (!(sample.firstChunkAt <= at)) sample.firstChunkAt = at;
      sample.lastChunkAt = at;
    },
  });
  try {
    await stream.done;
    if (sample.chunks !== frames) sample.error = `${sample.chunks}/${frames} frames`;
  } catch (err) {
    sample.error = String(err);
  }
  return sample;
}

export interface MemoryOptions {
  streams: number;
  /** Comparisons the subscribers are spread over (memory-subscribers). */
  comparisons: number;
  /** How long the open streams are left alone before the reading. */
  settleMs: number;
}

/** A long, silent comparison: the provider waits this long before its first delta (cancelled well before). */
const holdSpec: StreamSpec = { deltas: 1, intervalMs: 0, firstDelayMs: 60_000, stamp: false };

/**
 * RSS per open stream on a freshly started server (`fresh`): idle reading after a warm-up and full GCs,
 * then the streams open, a settle, GCs again, the second reading; the difference divided by streams.
 */
export async function memoryBlock(
  section: 'memory-subscribers' | 'memory-comparisons',
  variant: Variant,
  fresh: { child: BenchChild; target?: RelayTarget },
  o: MemoryOptions,
  repeat: number,
): Promise<BlockResult> {
  const server = fresh.child;
  const target = fresh.target;
  const held: { close(): void; done: Promise<number>; opened: Promise<number> }[] = [];
  const running: { user: number; sessionId: string }[] = [];
  const errors: string[] = [];
  const users = Math.max(1, Math.ceil(o.streams / 100));

  /** Starts a held comparison and returns its stream URL. */
  const startHeld = async (user: number): Promise<string | undefined> => {
    if (!target) return undefined;
    const res = await postJson(
      `${target.url}/comparison`,
      { prompt: encodeSpec(holdSpec), modelIds: [target.models.openai, target.models.anthropic] },
      { authorization: `Bearer ${target.token(user)}` },
    );
    const body = res.body as { sessionId?: string; streamUrl?: string };
    if (res.status !== 201 || !body.streamUrl || !body.sessionId) {
      errors.push(`POST /comparison ${res.status}`);
      return undefined;
    }
    running.push({ user, sessionId: body.sessionId });
    return `${target.url}${body.streamUrl}`;
  };
  const hold = (url: string) => {
    const stream = openStream(url, { onFrame() {} });
    stream.done.catch((err: unknown) => errors.push(String(err)));
    held.push(stream);
    return stream.opened.catch((err: unknown) => {
      errors.push(String(err));
      return 0;
    });
  };

  await server.gc();
  const idle = await server.stats();
  let baseline = idle;
  const streamUrls: string[] = [];
  if (variant === 'bare') {
    for (let i = 0; i < o.streams; i++) streamUrls.push(`${server.url}/stream`);
  } else if (section === 'memory-subscribers') {
    // The comparisons first, so that the difference is the subscribers' alone.
    const urls = await Promise.all(Array.from({ length: o.comparisons }, (_, i) => startHeld(i % users)));
    await server.gc();
    baseline = await server.stats();
    for (let i = 0; i < o.streams; i++) {
      const url = urls[i % urls.length];
      if (url) streamUrls.push(url);
    }
  } else {
    const urls = await Promise.all(Array.from({ length: o.streams }, (_, i) => startHeld(i % users)));
    for (const url of urls) if (url) streamUrls.push(url);
  }
  // Opened in batches, so that the opening burst itself is not what gets measured.
  for (let i = 0; i < streamUrls.length; i += 100)
    await Promise.all(streamUrls.slice(i, i + 100).map((url) => hold(url)));
  await sleep(o.settleMs);
  await server.gc();
  const open = await server.stats();

  for (const r of running)
    await cancelComparison(target as RelayTarget, r.user, r.sessionId).catch((err: unknown) =>
      errors.push(String(err)),
    );
  for (const stream of held) stream.close();
  await Promise.allSettled(held.map((s) => s.done));

  const perStream = (open.rssBytes - baseline.rssBytes) / o.streams / 1024;
  const heapPerStream =
    (open.heapUsedBytes + open.externalBytes - baseline.heapUsedBytes - baseline.externalBytes) /
    o.streams /
    1024;
  return {
    section,
    variant,
    level: o.streams,
    repeat,
    warmup: false,
    metrics: {
      idleRssMiB: idle.rssBytes / MiB,
      openRssMiB: open.rssBytes / MiB,
      peakRssMiB: open.maxRssBytes / MiB,
      perStreamKiB: perStream,
      heapPerStreamKiB: heapPerStream,
      opened: held.length,
    },
    server: summarise(open),
    client: { cpuMs: 0, wallMs: 0 },
    providerCpuMs: 0,
    errors: errors.length,
    firstErrors: [...new Set(errors)].slice(0, 3),
  };
}
