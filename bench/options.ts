// Benchmark sizes: defaults for a full run (~11 min on 2 cores), `--quick` for a smoke run, every one overridable.
import type { StreamSpec } from './bench-spec.js';

export const sectionNames = [
  'relay',
  'ttft',
  'chunk',
  'throughput',
  'memory',
  'endpoint',
  'scale-out',
] as const;
export type SectionName = (typeof sectionNames)[number];

export interface BenchOptions {
  quick: boolean;
  repeats: number;
  sections: SectionName[];
  ttft: {
    concurrency: number[];
    /** Comparisons per block at 1 (nothing else runs: short streams keep the block short). */
    comparisonsAtOne: number;
    /** Comparisons per block above 1: N workers, each starting its next comparison when one ends. */
    comparisons: number;
    /** At 1. */
    shortSpec: StreamSpec;
    /** Above 1: long enough that N comparisons are really streaming at once. */
    spec: StreamSpec;
  };
  chunk: { concurrency: number[]; rounds: number; spec: StreamSpec };
  throughput: { streams: number; frames: number };
  memory: { streams: number; comparisons: number; settleMs: number };
  /** One OpenAI model per stream: straight, through the bare relay, through the app (persistence on). */
  relay: {
    ttftLevels: number[];
    /** Rounds of `level` streams started at once; at 1, many more (each is short). */
    ttftRounds: number;
    ttftRoundsAtOne: number;
    ttftSpec: StreamSpec;
    ttftShortSpec: StreamSpec;
    chunkLevels: number[];
    chunkRoundsAtOne: number;
    chunkSpec: StreamSpec;
  };
  /** Writes a V8 CPU profile of every app server child into bench/profiles/. */
  profile: boolean;
  logLevel: string;
  /** Extra Node flags for the app servers (e.g. GC tuning), as `npm start` would pass them. */
  serverNodeFlags: string[];
  /** One OpenAI and one Anthropic model id of the catalogue. */
  models: { openai: string; anthropic: string };
  eldResolutionMs: number;
  /** Writes bench/results/<date>-<sha>.json. */
  write: boolean;
}

export const usage = `npm run bench -- [flags]   (each flag also as BENCH_<NAME>, e.g. BENCH_REPEATS=5)
  --quick                      smoke run: one repeat, small sizes (~1 min)
  --repeats N                  repeats of every block, medians reported (default 3)
  --only relay,ttft,chunk,throughput,memory,endpoint,scale-out   (relay alone: ~3 min;
                               endpoint: bench/endpoint.ts, scale-out: bench/scale-out.ts, ~1 min each)
  --relay-ttft-levels 1,50     streams started at once, no wait (relay block)
  --relay-chunk-levels 1,50,200  gated streams: the first chunk after every client is connected
  --relay-deltas N             deltas per stream of the gated relay blocks (default 100, at 20 ms)
  --ttft-concurrency 1,10,50   concurrent comparisons (2 models each)
  --ttft-comparisons N         comparisons per block above 1 (default 300; at least 3 per worker)
  --ttft-comparisons-at-one N  comparisons per block at 1 (default 150)
  --ttft-first-delay MS        provider delay before the first delta (default 10)
  --ttft-deltas N              deltas per model above 1 (default 20, at 20 ms: ~0.4 s streams;
                               at 1: 3 deltas at 5 ms)
  --chunk-concurrency 100,500  concurrent comparisons
  --chunk-deltas N             deltas per model (default 50)   --chunk-interval MS (default 20)
  --chunk-rounds N             rounds per block (default 1)
  --throughput-streams N       streams at once (default 40: 20 comparisons of 2 models)
  --throughput-frames N        frames per stream (default 2500)
  --memory-streams N           open streams (default 1000)
  --profile                    --cpu-prof on the app servers; profiles in bench/profiles/
  --server-node-flags=FLAGS    extra node flags for the app servers, e.g. "--max-semi-space-size=64"
  --log-level LEVEL            the servers' LOG_LEVEL (default info, as in production)
  --models OPENAI,ANTHROPIC    catalogue ids (default gpt-5-mini,claude-haiku-4-5; the Anthropic SDK
                               console.warns on every request for models it lists as deprecated)
  --no-write                   print only, no JSON file`;

function numbers(value: string): number[] {
  return value
    .split(',')
    .map((v) => Number(v.trim()))
    .filter((v) => Number.isFinite(v) && v > 0);
}

function modelsOf(value: string) {
  const [openai, anthropic] = value.split(',').map((v) => v.trim());
  if (!openai || !anthropic)
    throw new Error('--models takes two ids: an OpenAI model, then an Anthropic model');
  return { openai, anthropic };
}

/** Flags as `--name value`, `--name=value` or bare `--name`; then BENCH_NAME from the environment. */
function reader(argv: string[], env: Record<string, string | undefined>) {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}\n${usage}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const next = argv[i + 1];
    if (inline !== undefined) flags.set(name, inline);
    else if (next !== undefined && !next.startsWith('--')) {
      flags.set(name, next);
      i++;
    } else flags.set(name, 'true');
  }
  return (name: string): string | undefined =>
    flags.get(name) ?? env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`];
}

export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions {
  const get = reader(argv, env);
  if (get('help')) {
    console.log(usage);
    process.exit(0);
  }
  const quick = get('quick') === 'true' || get('quick') === '1';
  const int = (name: string, full: number, smoke: number) => {
    const value = get(name);
    const n = value === undefined ? (quick ? smoke : full) : Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, not ${value}`);
    return Math.round(n);
  };
  const list = (name: string, full: number[]) => {
    const value = get(name);
    return value === undefined ? full : numbers(value);
  };
  const only = get('only');
  const sections = only ? sectionNames.filter((s) => only.split(',').includes(s)) : [...sectionNames];
  return {
    quick,
    repeats: Math.max(1, int('repeats', 3, 1)),
    sections,
    ttft: {
      concurrency: list('ttft-concurrency', [1, 10, 50]),
      comparisonsAtOne: int('ttft-comparisons-at-one', 150, 40),
      comparisons: int('ttft-comparisons', 300, 100),
      shortSpec: { deltas: 3, intervalMs: 5, firstDelayMs: int('ttft-first-delay', 10, 10), stamp: true },
      spec: {
        deltas: int('ttft-deltas', 20, 10),
        intervalMs: 20,
        firstDelayMs: int('ttft-first-delay', 10, 10),
        stamp: true,
      },
    },
    chunk: {
      concurrency: list('chunk-concurrency', [100, 500]),
      rounds: Math.max(1, int('chunk-rounds', 1, 1)),
      spec: {
        deltas: int('chunk-deltas', 50, 20),
        intervalMs: int('chunk-interval', 20, 20),
        firstDelayMs: 0,
        stamp: true,
      },
    },
    throughput: { streams: int('throughput-streams', 40, 20), frames: int('throughput-frames', 2500, 500) },
    memory: { streams: int('memory-streams', 1000, 200), comparisons: 10, settleMs: quick ? 300 : 1000 },
    relay: {
      ttftLevels: list('relay-ttft-levels', [1, 50]),
      ttftRounds: int('relay-ttft-rounds', 4, 2),
      ttftRoundsAtOne: int('relay-ttft-rounds-at-one', 60, 20),
      ttftShortSpec: { deltas: 3, intervalMs: 5, firstDelayMs: 10, stamp: true },
      ttftSpec: { deltas: 20, intervalMs: 20, firstDelayMs: 10, stamp: true },
      chunkLevels: list('relay-chunk-levels', [1, 50, 200]),
      chunkRoundsAtOne: int('relay-chunk-rounds-at-one', 3, 1),
      chunkSpec: { deltas: int('relay-deltas', 100, 50), intervalMs: 20, firstDelayMs: 0, stamp: true },
    },
    profile: get('profile') === 'true',
    logLevel: get('log-level') ?? 'info',
    serverNodeFlags: (get('server-node-flags') ?? '').split(/\s+/).filter(Boolean),
    models: modelsOf(get('models') ?? 'gpt-5-mini,claude-haiku-4-5'),
    eldResolutionMs: int('eld-resolution', 2, 2),
    write: get('write') !== 'false' && get('no-write') === undefined,
  };
}
