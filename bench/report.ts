// Medians over repeats, the targets, the printed table and the JSON written to bench/results/.
import type { BlockResult, Section, ServerSummary, Variant } from './blocks.js';
import { median, round } from './stats.js';

type Relay = 'relay-on' | 'relay-off';
const relays: Relay[] = ['relay-on', 'relay-off'];

function pick(results: BlockResult[], section: Section, variant: Variant, level?: number) {
  return results.filter(
    (r) =>
      !r.warmup &&
      r.section === section &&
      r.variant === variant &&
      (level === undefined || r.level === level),
  );
}

const med = (rows: BlockResult[], metric: string) =>
  round(median(rows.map((r) => r.metrics[metric] ?? Number.NaN)));
const medServer = (rows: BlockResult[], key: keyof ServerSummary) =>
  round(median(rows.map((r) => r.server?.[key] ?? Number.NaN)));
const errors = (rows: BlockResult[]) => rows.reduce((n, r) => n + r.errors, 0);

/** Per repeat: the relay's figure minus (or over) the reference's of the same repeat; then the median. */
function paired(
  relay: BlockResult[],
  reference: BlockResult[],
  metric: string,
  combine: (a: number, b: number) => number,
): number {
  const values = relay.map((r) => {
    const ref = reference.find((x) => x.repeat === r.repeat);
    return ref ? combine(r.metrics[metric] ?? Number.NaN, ref.metrics[metric] ?? Number.NaN) : Number.NaN;
  });
  return round(median(values));
}

const minus = (a: number, b: number) => a - b;

function latencySection(results: BlockResult[], section: 'ttft' | 'chunk', p50: string, p99: string) {
  const levels = [...new Set(results.filter((r) => r.section === section).map((r) => r.level))].sort(
    (a, b) => a - b,
  );
  return levels.map((level) => {
    const direct = pick(results, section, 'direct', level);
    const row: Record<string, unknown> = {
      concurrency: level,
      direct: { p50Ms: med(direct, p50), p99Ms: med(direct, p99), errors: errors(direct) },
    };
    for (const v of relays) {
      const relay = pick(results, section, v, level);
      row[v] = {
        p50Ms: med(relay, p50),
        p99Ms: med(relay, p99),
        addedP50Ms: paired(relay, direct, p50, minus),
        addedP99Ms: paired(relay, direct, p99, minus),
        eventLoopDelayP99Ms: medServer(relay, 'eventLoopDelayP99Ms'),
        serverCpuMs: medServer(relay, 'cpuMs'),
        ...(section === 'chunk'
          ? {
              replayedExcluded: med(relay, 'replayedExcluded'),
              // Server CPU while streaming (the probe is reset at the release), per relayed chunk.
              serverCpuUsPerChunk: round(
                median(
                  relay.map(
                    (r) => ((r.server?.cpuMs ?? Number.NaN) * 1000) / (r.metrics.chunks ?? Number.NaN),
                  ),
                ),
              ),
            }
          : {}),
        ...(section === 'ttft'
          ? {
              // The way in (client start to the provider's receipt) and the way out (first delta's trip).
              addedRequestP50Ms: paired(relay, direct, 'requestP50Ms', minus),
              addedRequestP99Ms: paired(relay, direct, 'requestP99Ms', minus),
              addedFirstChunkP50Ms: paired(relay, direct, 'firstChunkP50Ms', minus),
              addedFirstChunkP99Ms: paired(relay, direct, 'firstChunkP99Ms', minus),
            }
          : {}),
        errors: errors(relay),
      };
    }
    return row;
  });
}

export function summarise(results: BlockResult[]) {
  const summary: Record<string, unknown> = {};
  summary.ttft = latencySection(results, 'ttft', 'ttftP50Ms', 'ttftP99Ms');
  summary.chunk = latencySection(results, 'chunk', 'chunkP50Ms', 'chunkP99Ms');

  const bare = pick(results, 'throughput', 'bare');
  if (bare.length > 0) {
    const on = pick(results, 'throughput', 'relay-on');
    const off = pick(results, 'throughput', 'relay-off');
    const fps = 'framesPerSecond';
    const perFrame = (rows: BlockResult[]) =>
      round(
        median(rows.map((r) => ((r.server?.cpuMs ?? Number.NaN) / (r.metrics.frames ?? Number.NaN)) * 1000)),
      );
    const direct = pick(results, 'throughput', 'direct');
    const relayThroughput = (rows: BlockResult[]) => ({
      framesPerSecond: med(rows, fps),
      ratioToBare: paired(rows, bare, fps, (a, b) => a / b),
      ratioToDirect: paired(rows, direct, fps, (a, b) => a / b),
      serverCpuMsPer1000Frames: perFrame(rows),
      eventLoopDelayP99Ms: medServer(rows, 'eventLoopDelayP99Ms'),
      errors: errors(rows),
    });
    summary.throughput = {
      streams: bare[0]?.level,
      bareFramesPerSecond: med(bare, fps),
      /** The provider server read directly: no relay on these cores can deliver more. */
      directFramesPerSecond: med(direct, fps),
      directRatioToBare: paired(direct, bare, fps, (a, b) => a / b),
      'relay-on': relayThroughput(on),
      'relay-off': relayThroughput(off),
      bareEventLoopDelayP99Ms: medServer(bare, 'eventLoopDelayP99Ms'),
      bareServerCpuMsPer1000Frames: perFrame(bare),
      /** 1 - on/off per repeat: the share of throughput the file database costs. */
      persistenceCost: paired(on, off, fps, (a, b) => 1 - a / b),
    };
  }

  const memory: Record<string, unknown> = {};
  for (const section of ['memory-subscribers', 'memory-comparisons'] as const) {
    const entry: Record<string, unknown> = {};
    for (const v of ['bare', ...relays] as const) {
      const rows = pick(results, section, v);
      if (rows.length === 0) continue;
      entry[v] = {
        streams: rows[0]?.level,
        idleRssMiB: med(rows, 'idleRssMiB'),
        openRssMiB: med(rows, 'openRssMiB'),
        perStreamKiB: med(rows, 'perStreamKiB'),
        heapPerStreamKiB: med(rows, 'heapPerStreamKiB'),
        eventLoopDelayP99Ms: medServer(rows, 'eventLoopDelayP99Ms'),
        errors: errors(rows),
      };
    }
    if (Object.keys(entry).length > 0) memory[section] = entry;
  }
  summary.memory = memory;
  return summary;
}

export interface Target {
  name: string;
  target: string;
  value: number;
  unit: string;
  met: boolean | null;
}

type Summary = ReturnType<typeof summarise>;

function at(summary: Summary, section: 'ttft' | 'chunk', level: number, key: string): number {
  const rows = summary[section] as Record<string, unknown>[];
  const row = rows.find((r) => r.concurrency === level);
  const relay = row?.['relay-on'] as Record<string, number> | undefined;
  return relay?.[key] ?? Number.NaN;
}

/** The issue's targets, judged on the production setting (persistence on). */
/** `judged` false (a --quick run): the sizes are too small to hold against the targets. */
export function targets(summary: Summary, judged = true): Target[] {
  const t = summary.throughput as Record<string, Record<string, number> | number> | undefined;
  const m = summary.memory as Record<string, Record<string, Record<string, number>>>;
  const check = (value: number, ok: (v: number) => boolean) => (Number.isFinite(value) ? ok(value) : null);
  const list: [string, string, number, string, (v: number) => boolean][] = [
    ['added TTFT p99 at 1', '< 2', at(summary, 'ttft', 1, 'addedP99Ms'), 'ms', (v) => v < 2],
    ['added TTFT p99 at 50', '< 10', at(summary, 'ttft', 50, 'addedP99Ms'), 'ms', (v) => v < 10],
    ['added per-chunk p99 at 100', '< 5', at(summary, 'chunk', 100, 'addedP99Ms'), 'ms', (v) => v < 5],
    [
      'relayed / bare frames per second',
      '>= 0.5',
      (t?.['relay-on'] as Record<string, number> | undefined)?.ratioToBare ?? Number.NaN,
      'x',
      (v) => v >= 0.5,
    ],
    [
      'memory per idle open stream',
      '< 20',
      m['memory-subscribers']?.['relay-on']?.perStreamKiB ?? Number.NaN,
      'KiB',
      (v) => v < 20,
    ],
    [
      'persistence cost on throughput',
      '< 10%',
      (t?.persistenceCost as number | undefined) ?? Number.NaN,
      '',
      (v) => v < 0.1,
    ],
  ];
  return list.map(([name, target, value, unit, ok]) => ({
    name,
    target,
    value,
    unit,
    met: judged ? check(value, ok) : null,
  }));
}

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, i) => String(c).padEnd(widths[i] ?? 0)).join('  ');
  return [
    line(cells[0] as string[]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

const fmt = (v: number) => (Number.isFinite(v) ? String(round(v)) : '-');

export function render(summary: Summary, goals: Target[], judged = true): string {
  const out: string[] = [];
  const get = (o: unknown, ...keys: string[]): number => {
    let cur: unknown = o;
    for (const k of keys) cur = (cur as Record<string, unknown> | undefined)?.[k];
    return typeof cur === 'number' ? cur : Number.NaN;
  };
  for (const [section, title] of [
    ['ttft', 'Time to first token (ms): relay minus direct, per model, medians of repeats'],
    ['chunk', 'Per-chunk latency (ms): provider send stamp to arrival at the SSE client'],
  ] as const) {
    const rows = summary[section] as Record<string, unknown>[];
    if (rows.length === 0) continue;
    out.push(`\n${title}`);
    if (section === 'ttft')
      out.push(
        table(
          ['conc.', 'way in: added p50 / p99 (on)', 'way out: added p50 / p99 (on)'],
          rows.map((r) => [
            get(r, 'concurrency'),
            `${fmt(get(r, 'relay-on', 'addedRequestP50Ms'))} / ${fmt(get(r, 'relay-on', 'addedRequestP99Ms'))}`,
            `${fmt(get(r, 'relay-on', 'addedFirstChunkP50Ms'))} / ${fmt(get(r, 'relay-on', 'addedFirstChunkP99Ms'))}`,
          ]),
        ),
      );
    out.push(
      table(
        [
          'conc.',
          'direct p50',
          'direct p99',
          'added p50 on/off',
          'added p99 on/off',
          'server ELD p99 on/off',
          ...(section === 'chunk' ? ['server CPU µs/chunk on/off'] : []),
          'errors',
        ],
        rows.map((r) => [
          get(r, 'concurrency'),
          get(r, 'direct', 'p50Ms'),
          get(r, 'direct', 'p99Ms'),
          `${fmt(get(r, 'relay-on', 'addedP50Ms'))} / ${fmt(get(r, 'relay-off', 'addedP50Ms'))}`,
          `${fmt(get(r, 'relay-on', 'addedP99Ms'))} / ${fmt(get(r, 'relay-off', 'addedP99Ms'))}`,
          `${fmt(get(r, 'relay-on', 'eventLoopDelayP99Ms'))} / ${fmt(get(r, 'relay-off', 'eventLoopDelayP99Ms'))}`,
          ...(section === 'chunk'
            ? [
                `${fmt(get(r, 'relay-on', 'serverCpuUsPerChunk'))} / ${fmt(get(r, 'relay-off', 'serverCpuUsPerChunk'))}`,
              ]
            : []),
          get(r, 'direct', 'errors') + get(r, 'relay-on', 'errors') + get(r, 'relay-off', 'errors'),
        ]),
      ),
    );
  }
  const t = summary.throughput;
  if (t) {
    out.push(`\nThroughput (${get(t, 'streams')} streams, no delay): frames per second at the client`);
    out.push(
      table(
        [
          'path',
          'frames/s',
          'ratio to bare',
          'ratio to direct',
          'server CPU ms / 1000 frames',
          'server ELD p99 ms',
          'errors',
        ],
        [
          [
            'bare node:http',
            get(t, 'bareFramesPerSecond'),
            1,
            '',
            get(t, 'bareServerCpuMsPer1000Frames'),
            get(t, 'bareEventLoopDelayP99Ms'),
            0,
          ],
          [
            'provider read directly',
            get(t, 'directFramesPerSecond'),
            get(t, 'directRatioToBare'),
            1,
            '',
            '',
            '',
          ],
          ...(['relay-on', 'relay-off'] as const).map((v) => [
            `relay, persistence ${v === 'relay-on' ? 'on' : 'off'}`,
            get(t, v, 'framesPerSecond'),
            get(t, v, 'ratioToBare'),
            get(t, v, 'ratioToDirect'),
            get(t, v, 'serverCpuMsPer1000Frames'),
            get(t, v, 'eventLoopDelayP99Ms'),
            get(t, v, 'errors'),
          ]),
        ],
      ),
    );
  }
  const m = summary.memory as Record<string, Record<string, unknown>>;
  const memoryRows: (string | number)[][] = [];
  for (const [section, label] of [
    ['memory-subscribers', 'subscribers'],
    ['memory-comparisons', 'watched comparisons'],
  ] as const) {
    for (const [v, entry] of Object.entries(m[section] ?? {})) {
      memoryRows.push([
        `${label}: ${v === 'bare' ? 'bare node:http' : `relay, persistence ${v === 'relay-on' ? 'on' : 'off'}`}`,
        get(entry, 'streams'),
        get(entry, 'idleRssMiB'),
        get(entry, 'openRssMiB'),
        get(entry, 'perStreamKiB'),
        get(entry, 'heapPerStreamKiB'),
        get(entry, 'eventLoopDelayP99Ms'),
        get(entry, 'errors'),
      ]);
    }
  }
  if (memoryRows.length > 0) {
    out.push('\nMemory with open idle streams (fresh server each repeat; RSS after full GCs)');
    out.push(
      table(
        [
          'what',
          'streams',
          'idle RSS MiB',
          'open RSS MiB',
          'KiB / stream',
          'heap+ext KiB / stream',
          'ELD p99 ms',
          'errors',
        ],
        memoryRows,
      ),
    );
  }
  const peaks = (summary as { peakRssMiB?: Record<string, number> }).peakRssMiB;
  if (peaks && Object.keys(peaks).length > 0)
    out.push(
      `\nPeak RSS of the long-running servers over the latency and throughput blocks: persistence on ${fmt(peaks['relay-on'] ?? Number.NaN)} MiB, off ${fmt(peaks['relay-off'] ?? Number.NaN)} MiB (the :memory: database holds every stored event)`,
    );
  out.push(
    judged
      ? '\nTargets (persistence on)'
      : '\nTargets (persistence on): not judged, a --quick run is too small to hold against them',
  );
  out.push(
    table(
      ['target', 'goal', 'measured', 'met'],
      goals.map((g) => [
        g.name,
        `${g.target} ${g.unit}`.trim(),
        g.unit === '' ? `${fmt(g.value * 100)}%` : `${fmt(g.value)} ${g.unit}`,
        g.met === null ? (judged && Number.isNaN(g.value) ? 'not run' : '-') : g.met ? 'yes' : 'NO',
      ]),
    ),
  );
  return out.join('\n');
}
