// Times one full leaderboard computation over 100,000 synthetic votes on 20 models: npx tsx bench/leaderboard.ts
// Optional arguments: votes, models, bootstrap rounds (defaults 100000, 20, and the
// rounds leaderboard.ts picks for the data).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Vote } from '../src/services/judging/battles.js';
import { aggregateVotes, leaderboardFromTable } from '../src/services/judging/leaderboard.js';
import { mulberry32 } from '../src/services/judging/random.js';

const VOTES = Number(process.argv[2] ?? 100_000);
const MODELS = Number(process.argv[3] ?? 20);
const ROUNDS = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const RUNS = 5;

/** Votes drawn from a known Bradley-Terry truth: 80% two-way, 15% three-way, 5% four-way sessions. */
function syntheticVotes(count: number, modelCount: number, seed: number): Vote[] {
  const uniform = mulberry32(seed);
  const ids = Array.from({ length: modelCount }, (_, i) => `model-${String(i).padStart(2, '0')}`);
  const strength = ids.map((_, i) => (i - modelCount / 2) * 0.12);
  const votes: Vote[] = [];
  for (let v = 0; v < count; v++) {
    const r = uniform();
    const size = r < 0.8 ? 2 : r < 0.95 ? 3 : 4;
    const picked: number[] = [];
    while (picked.length < size) {
      const m = Math.floor(uniform() * modelCount);
      if (!picked.includes(m)) picked.push(m);
    }
    const outcome = uniform();
    let choice: string;
    if (outcome < 0.1) choice = 'tie';
    else if (outcome < 0.15) choice = 'all_bad';
    else {
      // Plackett-Luce first choice: P(m) ∝ exp(strength of m).
      const weights = picked.map((m) => Math.exp(strength[m]!));
      let u = uniform() * weights.reduce((s, w) => s + w, 0);
      let k = 0;
      while (k < picked.length - 1 && u > weights[k]!) u -= weights[k++]!;
      choice = ids[picked[k]!]!;
    }
    votes.push({
      sessionId: `s${v}`,
      models: picked.map((m) => ids[m]!),
      choice,
      tstamp: 1.7e9 + v,
      blind: true,
    });
  }
  return votes;
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

const votes = syntheticVotes(VOTES, MODELS, 7);
// The machine is shared: several runs, the fastest is the one least disturbed by others, and CPU time
// (this process's own) says what an idle machine would take.
const runs: { aggregate: number; total: number; cpu: number }[] = [];
let board = leaderboardFromTable(aggregateVotes([]));
let kinds = 0;
for (let run = 0; run < RUNS; run++) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const table = aggregateVotes(votes);
  const t1 = performance.now();
  board = leaderboardFromTable(table, ROUNDS === undefined ? {} : { bootstrapRounds: ROUNDS });
  runs.push({ aggregate: t1 - t0, total: performance.now() - t0, cpu: cpuMs(process.cpuUsage(cpu0)) });
  kinds = table.kinds.length;
}

console.log(
  `${VOTES} votes, ${MODELS} models, ${kinds} vote kinds, ${board.bootstrapRounds} bootstrap rounds, node ${process.version}`,
);
for (const [i, r] of runs.entries()) {
  console.log(
    `run ${i + 1}: aggregate ${r.aggregate.toFixed(1)} ms, one full computation ${r.total.toFixed(1)} ms (CPU ${r.cpu.toFixed(1)} ms)`,
  );
}
console.log(
  `one full computation, fastest of ${RUNS}: ${Math.min(...runs.map((r) => r.total)).toFixed(1)} ms wall, ` +
    `${Math.min(...runs.map((r) => r.cpu)).toFixed(1)} ms CPU; load average ${loadavg()[0]!.toFixed(2)}`,
);
const top = board.models[0]!;
const bottom = board.models[board.models.length - 1]!;
console.log(
  `top ${top.modelId} ${top.rating.toFixed(1)} [${top.ci95[0].toFixed(1)}, ${top.ci95[1].toFixed(1)}]` +
    `, bottom ${bottom.modelId} ${bottom.rating.toFixed(1)}`,
);
