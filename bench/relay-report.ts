// The relay block's figures: added latency over the provider read directly, the app against the bare relay.
import type { RelayBlockResult } from './relay-blocks.js';
import { TENTHS } from './relay-blocks.js';
import type { SinglePath } from './single-workloads.js';
import { median, round } from './stats.js';

type Relayed = Exclude<SinglePath, 'direct'>;
const relayed: Relayed[] = ['bare-relay', 'relay-on'];

const pick = (
  rows: RelayBlockResult[],
  section: RelayBlockResult['section'],
  path: SinglePath,
  level: number,
) => rows.filter((r) => !r.warmup && r.section === section && r.path === path && r.level === level);

/** Per repeat: the path's figure minus direct's of the same repeat (latency), or the figure itself. */
function perRepeat(rows: RelayBlockResult[], direct: RelayBlockResult[], metric: string, added: boolean) {
  return rows.map((r) => {
    const value = r.metrics[metric] ?? Number.NaN;
    if (!added) return value;
    const ref = direct.find((d) => d.repeat === r.repeat);
    return ref ? value - (ref.metrics[metric] ?? Number.NaN) : Number.NaN;
  });
}

export interface Figure {
  /** Median over repeats, and the lowest and highest repeat. */
  median: number;
  min: number;
  max: number;
}

const figure = (values: number[]): Figure => {
  const finite = values.filter(Number.isFinite);
  return {
    median: round(median(finite)),
    min: round(Math.min(...finite)),
    max: round(Math.max(...finite)),
  };
};

export type RelaySummary = Record<string, Record<Relayed, Figure> & { ratio: number }>;

/** Every figure of the block for the bare relay and the app, with the app's over the bare relay's. */
export function summariseRelay(results: RelayBlockResult[]): RelaySummary {
  const out: RelaySummary = {};
  const levels = (section: RelayBlockResult['section']) =>
    [...new Set(results.filter((r) => r.section === section).map((r) => r.level))].sort((a, b) => a - b);
  const add = (
    name: string,
    section: RelayBlockResult['section'],
    level: number,
    metric: string,
    added: boolean,
  ) => {
    const direct = pick(results, section, 'direct', level);
    const entry = {} as Record<Relayed, Figure>;
    for (const p of relayed)
      entry[p] = figure(perRepeat(pick(results, section, p, level), direct, metric, added));
    if (Number.isNaN(entry['relay-on'].median) && Number.isNaN(entry['bare-relay'].median)) return;
    out[name] = { ...entry, ratio: round(entry['relay-on'].median / entry['bare-relay'].median) };
  };
  for (const level of levels('relay-ttft')) {
    add(`added TTFT p50 at ${level} (ms)`, 'relay-ttft', level, 'ttftP50Ms', true);
    add(`added TTFT p99 at ${level} (ms)`, 'relay-ttft', level, 'ttftP99Ms', true);
    add(`added way in p50 at ${level} (ms)`, 'relay-ttft', level, 'requestP50Ms', true);
  }
  for (const level of levels('relay-chunk')) {
    add(`added per-chunk p50 at ${level} (ms)`, 'relay-chunk', level, 'chunkP50Ms', true);
    add(`added per-chunk p99 at ${level} (ms)`, 'relay-chunk', level, 'chunkP99Ms', true);
    for (let t = 1; t <= TENTHS; t++)
      add(`added p50 at ${level}, tenth ${t} (ms)`, 'relay-chunk', level, `tenth${t}P50Ms`, true);
    // One stream's whole CPU is a few ms: the set-up and streaming windows are too short to read.
    if (level < 10) continue;
    add(
      `server CPU per chunk streaming at ${level} (µs)`,
      'relay-chunk',
      level,
      'streamingCpuUsPerChunk',
      false,
    );
    add(`server CPU per stream set-up at ${level} (ms)`, 'relay-chunk', level, 'setupCpuMsPerStream', false);
    add(`server peak RSS at ${level} (MiB)`, 'relay-chunk', level, 'peakRssMiB', false);
    add(`server event-loop delay p99 at ${level} (ms)`, 'relay-chunk', level, 'eventLoopDelayP99Ms', false);
  }
  return out;
}

export interface RelayTarget {
  name: string;
  goal: string;
  value: number;
  met: boolean | null;
}

/**
 * The backlog: the mean added p50 of the last three tenths of the streams minus that of the first
 * three. Three tenths each, so one noisy tenth (another process took the core) does not decide it.
 */
function growth(s: RelaySummary, p: Relayed, level: number): number {
  const tenth = (t: number) => s[`added p50 at ${level}, tenth ${t} (ms)`]?.[p].median ?? Number.NaN;
  const mean = (ts: number[]) => ts.reduce((a, t) => a + tenth(t), 0) / ts.length;
  return mean([TENTHS - 2, TENTHS - 1, TENTHS]) - mean([1, 2, 3]);
}

/**
 * The smallest added latency of the bare relay a latency ratio divides by. Its added p99 is a
 * difference of two p99s that can come out near zero or below it (-0.4 ms in one run, which made a
 * ratio of -31 "met"): below a millisecond it is the machine's noise, not the relay's cost, so the
 * ratio is taken against 1 ms instead and can never pass because the floor was noise.
 */
export const LATENCY_FLOOR_MS = 1;

/** The targets, as ratios to the bare relay of the same run (persistence on). */
export function relayTargets(s: RelaySummary, judged: boolean): RelayTarget[] {
  const ratio = (name: string) => s[name]?.ratio ?? Number.NaN;
  const latencyRatio = (name: string) => {
    const entry = s[name];
    if (!entry) return Number.NaN;
    return round(entry['relay-on'].median / Math.max(entry['bare-relay'].median, LATENCY_FLOOR_MS));
  };
  const judge = (v: number, ok: (v: number) => boolean) => (judged && Number.isFinite(v) ? ok(v) : null);
  const appGrowth = growth(s, 'relay-on', 200);
  // No growing backlog: at most 5 ms of growth beyond the bare relay's own (the machine's noise).
  const allowed = 5 + Math.max(0, growth(s, 'bare-relay', 200));
  return [
    {
      name: 'added TTFT p50 at 50, us / max(bare, 1 ms)',
      goal: '<= 4x',
      value: latencyRatio('added TTFT p50 at 50 (ms)'),
      met: null,
    },
    {
      name: 'added per-chunk p99 at 50, us / max(bare, 1 ms)',
      goal: '<= 5x',
      value: latencyRatio('added per-chunk p99 at 50 (ms)'),
      met: null,
    },
    {
      name: 'backlog at 200: added p50, last 3 tenths - first 3 (ms)',
      goal: `<= ${round(allowed)}`,
      value: round(appGrowth),
      met: judge(appGrowth, (v) => v <= allowed),
    },
    {
      name: 'server CPU per chunk streaming at 200, us / bare',
      goal: '<= 2x',
      value: ratio('server CPU per chunk streaming at 200 (µs)'),
      met: null,
    },
    {
      name: 'server CPU per stream set-up at 200, us / bare',
      goal: '<= 3x',
      value: ratio('server CPU per stream set-up at 200 (ms)'),
      met: null,
    },
  ].map((t) => {
    if (t.met !== null || t.name.startsWith('backlog')) return t;
    const limit = Number(t.goal.replace(/[^0-9.]/g, ''));
    return { ...t, met: judge(t.value, (v) => v <= limit) };
  });
}

const fmt = (v: number) => (Number.isFinite(v) ? String(round(v)) : '-');
const cell = (f: Figure | undefined) =>
  !f || !Number.isFinite(f.median)
    ? '-'
    : f.min === f.max
      ? fmt(f.median)
      : `${fmt(f.median)} (${fmt(f.min)}..${fmt(f.max)})`;

export function renderRelay(s: RelaySummary, goals: RelayTarget[]): string {
  const rows = Object.entries(s)
    .filter(([name]) => !name.includes('tenth'))
    .map(([name, e]) => [name, cell(e['bare-relay']), cell(e['relay-on']), fmt(e.ratio)]);
  const tenthRows = [
    ...new Set(
      Object.keys(s)
        .filter((n) => n.includes('tenth'))
        .map((n) => n.split(',')[0] as string),
    ),
  ].map((prefix) =>
    relayed.map(
      (p) =>
        `${prefix.replace('added p50', 'added p50 by tenth')}, ${p === 'bare-relay' ? 'bare relay' : 'us'}: ${Array.from(
          { length: TENTHS },
          (_, i) => fmt(s[`${prefix}, tenth ${i + 1} (ms)`]?.[p].median ?? Number.NaN),
        ).join(' ')}`,
    ),
  );
  const table = (head: string[], body: string[][]) => {
    const all = [head, ...body];
    const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  };
  return [
    '\nRelay block: one OpenAI model per stream; added = path minus the provider read directly, same repeat',
    '(median of repeats, lowest..highest repeat in brackets; CPU from /proc/<pid>/task/*/schedstat)',
    table(['figure', 'bare relay', 'us (persistence on)', 'us / bare'], rows),
    '',
    ...tenthRows.flat(),
    '\nRelay targets (ratios to the bare relay of this run)',
    table(
      ['target', 'goal', 'measured', 'met'],
      goals.map((g) => [g.name, g.goal, fmt(g.value), g.met === null ? '-' : g.met ? 'yes' : 'NO']),
    ),
  ].join('\n');
}
