// The leaderboard: Bradley-Terry ratings of votes, seeded bootstrap intervals, rank by overlap, tallies.
import { addVoteToTallies, assertValidVote, type ModelTally, type Vote, voteToBattles } from './battles.js';
import { DEFAULT_PRIOR_WEIGHT, fitStrengths, type PairMatrix, strengthsToElo } from './bradley-terry.js';
import { drawPoisson, mulberry32, type PoissonTable, poissonTable } from './random.js';

/** At most 1000 rounds, as in the Chatbot Arena notebook: the 2.5% tail then rests on 25 rounds. */
export const MAX_BOOTSTRAP_ROUNDS = 1000;
/** FastChat's elo_analysis.py default; below this the interval ends are too noisy to rank by. */
export const MIN_BOOTSTRAP_ROUNDS = 100;
/**
 * Work a bootstrap may do, in units of one vote kind's Poisson draw and fill (about 3 units) or one
 * n³ step of the Newton solves (about 1 unit). Calibrated with bench/leaderboard.ts (100,000 votes,
 * 20 models, 9,704 kinds, 37,000 units a round): the budget gives 450 rounds and a whole computation
 * of about 340 ms (1000 rounds: 670 ms), leaving room in GET /leaderboard's second for reading the
 * votes and for the other work of a shared 2-core machine.
 */
const BOOTSTRAP_WORK_BUDGET = 1.8e7;

/**
 * The default number of bootstrap rounds: as many as fit the time budget, from 100 to 1000, in steps
 * of 50. It depends only on the data's shape, so the same votes still give the same numbers.
 */
export function defaultBootstrapRounds(kinds: number, models: number): number {
  const perRound = 3 * kinds + models ** 3;
  const fitting = Math.floor(BOOTSTRAP_WORK_BUDGET / Math.max(perRound, 1) / 50) * 50;
  return Math.min(MAX_BOOTSTRAP_ROUNDS, Math.max(MIN_BOOTSTRAP_ROUNDS, fitting));
}
export const DEFAULT_SEED = 20240101;
export const PROVISIONAL_BELOW_BATTLES = 10;

export interface LeaderboardOptions {
  readonly seed?: number;
  /** Defaults to defaultBootstrapRounds(vote kinds, models); 0 gives intervals of zero width. */
  readonly bootstrapRounds?: number;
  readonly priorWeight?: number;
}

export interface LeaderboardEntry extends ModelTally {
  readonly modelId: string;
  readonly rating: number;
  readonly ci95: readonly [number, number];
  readonly rank: number;
  readonly provisional: boolean;
}

export interface Leaderboard {
  readonly bootstrapRounds: number;
  /** Votes read, including those on sessions with fewer than 2 completed models (they add no battle). */
  readonly votes: number;
  readonly models: LeaderboardEntry[];
}

/** Identical votes once, with how many times they were cast: what the fit and the bootstrap work on. */
export interface VoteKind {
  readonly models: readonly string[];
  readonly choice: string;
  readonly count: number;
}

export interface VoteTable {
  readonly votes: number;
  /** In a canonical order (by sorted models, then choice), so the input order never matters. */
  readonly kinds: readonly VoteKind[];
}

/**
 * Groups votes by (set of models, choice). 100,000 votes over 20 models collapse to a few hundred
 * kinds; everything after this step costs per kind, not per vote. A vote's slot order is dropped
 * here: Bradley-Terry has no side advantage, so it cannot change a rating.
 */
export function aggregateVotes(votes: Iterable<Vote>): VoteTable {
  function* counted() {
    for (const vote of votes) {
      assertValidVote(vote);
      yield { models: vote.models, choice: vote.choice, count: 1 };
    }
  }
  return aggregateKinds(counted());
}

/**
 * The same table from rows already counted (a store's tally, grouped by models in slot order):
 * rows that differ only in slot order merge into one kind.
 */
export function aggregateKinds(rows: Iterable<VoteKind>): VoteTable {
  const byKey = new Map<string, { models: string[]; choice: string; count: number }>();
  let total = 0;
  for (const row of rows) {
    total += row.count;
    const [first, second] = row.models;
    const models =
      row.models.length === 2
        ? first! < second!
          ? [first!, second!]
          : [second!, first!]
        : [...row.models].sort();
    const key = `${models.join('\u0000')}\u0001${row.choice}`;
    const kind = byKey.get(key);
    if (kind) kind.count += row.count;
    else byKey.set(key, { models, choice: row.choice, count: row.count });
  }
  const keys = [...byKey.keys()].sort();
  return { votes: total, kinds: keys.map((k) => byKey.get(k)!) };
}

/** Linear interpolation between order statistics (numpy's and pandas' default, as FastChat's quantile). */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function leaderboardFromTable(table: VoteTable, options: LeaderboardOptions = {}): Leaderboard {
  const fit = { priorWeight: options.priorWeight ?? DEFAULT_PRIOR_WEIGHT };

  // Tallies, and each kind's battles as (cell of the pair matrix, amount) for one vote of that kind.
  const tallies = new Map<string, ModelTally>();
  const kindBattles = table.kinds.map((kind) => {
    const vote: Vote = { sessionId: '', models: kind.models, choice: kind.choice, tstamp: 0, blind: false };
    addVoteToTallies(tallies, vote, kind.count);
    return voteToBattles(vote);
  });
  const models = [...tallies.keys()].sort();
  const n = models.length;
  const rounds = options.bootstrapRounds ?? defaultBootstrapRounds(table.kinds.length, n);
  if (!Number.isInteger(rounds) || rounds < 0) throw new RangeError('bootstrapRounds must be an integer ≥ 0');
  const index = new Map(models.map((m, i) => [m, i]));
  const offsets = new Int32Array(table.kinds.length + 1);
  const cells: number[] = [];
  const amounts: number[] = [];
  kindBattles.forEach((battles, k) => {
    for (const { a, b, winner, weight } of battles) {
      const i = index.get(a)!;
      const j = index.get(b)!;
      if (winner === 'tie') {
        cells.push(i * n + j, j * n + i);
        amounts.push(weight / 2, weight / 2);
      } else {
        cells.push(winner === 'a' ? i * n + j : j * n + i);
        amounts.push(weight);
      }
    }
    offsets[k + 1] = cells.length;
  });
  const cellOf = Int32Array.from(cells);
  const amountOf = Float64Array.from(amounts);
  const counts = table.kinds.map((kind) => kind.count);

  const wins = new Float64Array(n * n);
  const matrix: PairMatrix = { models, wins };
  const fill = (multiplicities: Float64Array) => {
    wins.fill(0);
    for (let k = 0; k < multiplicities.length; k++) {
      const m = multiplicities[k]!;
      if (m === 0) continue;
      for (let c = offsets[k]!; c < offsets[k + 1]!; c++) wins[cellOf[c]!]! += m * amountOf[c]!;
    }
  };

  fill(Float64Array.from(counts));
  const strengths = fitStrengths(matrix, fit);
  const ratings = strengthsToElo(strengths);

  // Bootstrap over votes, not battles: the battles of one vote are not independent. Resampling n votes
  // with replacement gives each vote a Binomial(n, 1/n) ≈ Poisson(1) multiplicity, so a kind of c votes
  // gets Poisson(c) (the Poisson bootstrap: Hanley & MacGibbon, Computer Methods and Programs in
  // Biomedicine 83, 2006). FastChat draws the same per-row multiplicities from a multinomial
  // (compute_bootstrap_bt, rating_systems.py); the Poisson form needs no fixed total and no binomial chain.
  const samples = new Float64Array(rounds * n);
  const uniform = mulberry32(options.seed ?? DEFAULT_SEED);
  const tableOfCount = new Map<number, PoissonTable>();
  const tables = counts.map((c) => {
    let table = tableOfCount.get(c);
    if (!table) {
      table = poissonTable(c);
      tableOfCount.set(c, table);
    }
    return table;
  });
  const multiplicities = new Float64Array(counts.length);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < tables.length; k++) multiplicities[k] = drawPoisson(tables[k]!, uniform());
    fill(multiplicities);
    samples.set(strengthsToElo(fitStrengths(matrix, { ...fit, start: strengths })), r * n);
  }

  const intervals = models.map((_, i): [number, number] => {
    if (rounds === 0) return [ratings[i]!, ratings[i]!];
    const column = new Float64Array(rounds);
    for (let r = 0; r < rounds; r++) column[r] = samples[r * n + i]!;
    column.sort();
    return [quantile(column, 0.025), quantile(column, 0.975)];
  });

  const entries: LeaderboardEntry[] = models.map((modelId, i) => {
    const [, high] = intervals[i]!;
    let rank = 1;
    for (let j = 0; j < n; j++) if (j !== i && intervals[j]![0] > high) rank++;
    const tally = tallies.get(modelId)!;
    return {
      modelId,
      rating: ratings[i]!,
      ci95: intervals[i]!,
      rank,
      ...tally,
      provisional: tally.battles < PROVISIONAL_BELOW_BATTLES,
    };
  });
  entries.sort((x, y) => y.rating - x.rating || (x.modelId < y.modelId ? -1 : 1));
  return { votes: table.votes, bootstrapRounds: rounds, models: entries };
}

/** The leaderboard of `votes`: the same votes and seed give the same numbers, in any order. */
export function computeLeaderboard(votes: Iterable<Vote>, options: LeaderboardOptions = {}): Leaderboard {
  return leaderboardFromTable(aggregateVotes(votes), options);
}
