// Bradley-Terry ratings on the Elo scale from weighted pairwise battles: Newton steps with a weak prior.
//
// Written here rather than taken from npm: the registry's rating packages (elo-rank, elo-rating,
// glicko2, openskill, trueskill) are online update rules whose result depends on the order of the
// games; none fits the maximum-likelihood Bradley-Terry model on aggregated, weighted counts.
//
// Model (Bradley & Terry 1952; Hunter, "MM algorithms for generalized Bradley-Terry models", Annals of
// Statistics 32(1), 2004): P(i beats j) = 1 / (1 + exp(θj − θi)). A tie counts as half a win for each
// side, which is what FastChat does by duplicating each decisive row and keeping ties once
// (`compute_elo_mle_with_tie`, lm-sys/FastChat fastchat/serve/monitor/elo_analysis.py at 3773213) and
// what its current `bt_loss_and_grad` does with an outcome of 0.5 (fastchat/serve/monitor/
// rating_systems.py at 0e6d3e4). Ratings are 1000 + 400·log10(e)·θ, recentred to a mean of 1000.
//
// Prior: every model also plays `priorWeight` virtual tied battles against a virtual anchor fixed at
// θ = 0, the device of Coulom's Whole-History Rating (2008, "virtual draws" against a virtual
// player). Without it the MLE does not exist as soon as a model is unbeaten (its θ runs to +∞) or the
// comparison graph is disconnected; with it the log-likelihood is strictly concave, so Newton's method
// with a backtracking line search converges from any start. One virtual tie is weak: a model with 10
// battles sees its data outweigh the prior ten to one.
//
// Fit: Newton-Raphson on the 2-way counts (the Hessian is n×n, n the number of models, solved by
// Cholesky). MM (Hunter's §3) would avoid the n³ solve but needs hundreds of iterations when ratings
// are spread out; at a few dozen models Newton's 4-8 iterations are far cheaper.

export type BattleWinner = 'a' | 'b' | 'tie';

/** One pairwise battle: `weight` is 1/(N−1) for a vote on N models, see battles.ts. */
export interface Battle {
  readonly a: string;
  readonly b: string;
  readonly winner: BattleWinner;
  readonly weight: number;
}

/** Aggregated battles: `wins[i * n + j]` is the weighted wins of `models[i]` over `models[j]`. */
export interface PairMatrix {
  /** Sorted model ids: the index order of `wins` and of every strength vector. */
  readonly models: readonly string[];
  readonly wins: Float64Array;
}

export interface FitOptions {
  /** Virtual tied battles of each model against the anchor (> 0). */
  readonly priorWeight?: number;
  /** Stop when no strength moves by more than this (natural units; 1e-9 is 4e-7 Elo points). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
  /** A starting point (e.g. the full-data fit, for bootstrap rounds); zeros otherwise. */
  readonly start?: Float64Array;
}

export const ELO_BASE = 10;
export const ELO_SCALE = 400;
export const ELO_MEAN = 1000;
export const DEFAULT_PRIOR_WEIGHT = 1;
/** Elo points per natural unit of θ. */
export const ELO_PER_NATURAL = ELO_SCALE / Math.log(ELO_BASE);

/** log σ(x) without overflow for large |x|. */
function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Aggregates battles; they are put in a canonical order first so any order of input gives the same bits. */
export function pairMatrixFromBattles(battles: Iterable<Battle>): PairMatrix {
  const rows: { key: string; a: string; b: string; winner: BattleWinner; weight: number }[] = [];
  const names = new Set<string>();
  for (const battle of battles) {
    if (battle.a === battle.b) throw new RangeError(`a battle of ${battle.a} against itself`);
    if (!(battle.weight >= 0) || !Number.isFinite(battle.weight)) {
      throw new RangeError(`a battle weight must be finite and non-negative, got ${battle.weight}`);
    }
    const swap = battle.a > battle.b;
    const a = swap ? battle.b : battle.a;
    const b = swap ? battle.a : battle.b;
    const winner = battle.winner === 'tie' ? 'tie' : (battle.winner === 'a') !== swap ? 'a' : 'b';
    names.add(a).add(b);
    rows.push({
      key: `${a}\u0000${b}\u0000${winner}\u0000${battle.weight}`,
      a,
      b,
      winner,
      weight: battle.weight,
    });
  }
  rows.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const models = [...names].sort();
  const index = new Map(models.map((m, i) => [m, i]));
  const n = models.length;
  const wins = new Float64Array(n * n);
  for (const row of rows) {
    const i = index.get(row.a)!;
    const j = index.get(row.b)!;
    if (row.winner === 'a') wins[i * n + j]! += row.weight;
    else if (row.winner === 'b') wins[j * n + i]! += row.weight;
    else {
      wins[i * n + j]! += row.weight / 2;
      wins[j * n + i]! += row.weight / 2;
    }
  }
  return { models, wins };
}

function logLikelihood(theta: Float64Array, wins: Float64Array, n: number, prior: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ti = theta[i]!;
    total += (prior / 2) * (logSigmoid(ti) + logSigmoid(-ti));
    for (let j = i + 1; j < n; j++) {
      const wij = wins[i * n + j]!;
      const wji = wins[j * n + i]!;
      if (wij === 0 && wji === 0) continue;
      const d = ti - theta[j]!;
      total += wij * logSigmoid(d) + wji * logSigmoid(-d);
    }
  }
  return total;
}

/** Solves H x = g in place of g for a symmetric positive definite H (destroyed: it becomes its Cholesky factor). */
function choleskySolve(h: Float64Array, g: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = h[j * n + j]!;
    for (let k = 0; k < j; k++) d -= h[j * n + k]! ** 2;
    const ljj = Math.sqrt(d);
    h[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = h[i * n + j]!;
      for (let k = 0; k < j; k++) s -= h[i * n + k]! * h[j * n + k]!;
      h[i * n + j] = s / ljj;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = g[i]!;
    for (let k = 0; k < i; k++) s -= h[i * n + k]! * g[k]!;
    g[i] = s / h[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = g[i]!;
    for (let k = i + 1; k < n; k++) s -= h[k * n + i]! * g[k]!;
    g[i] = s / h[i * n + i]!;
  }
}

/** Maximum a-posteriori strengths θ (natural scale, anchor at 0), aligned with `matrix.models`. */
export function fitStrengths(matrix: PairMatrix, options: FitOptions = {}): Float64Array {
  const prior = options.priorWeight ?? DEFAULT_PRIOR_WEIGHT;
  if (!(prior > 0) || !Number.isFinite(prior))
    throw new RangeError('priorWeight must be a finite number above 0');
  const tolerance = options.tolerance ?? 1e-9;
  const maxIterations = options.maxIterations ?? 100;
  const { wins } = matrix;
  const n = matrix.models.length;
  const theta = options.start ? Float64Array.from(options.start) : new Float64Array(n);
  const gradient = new Float64Array(n);
  const hessian = new Float64Array(n * n);
  const candidate = new Float64Array(n);
  let current = logLikelihood(theta, wins, n, prior);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // Gradient of the log-posterior and its negative Hessian (the observed information).
    hessian.fill(0);
    for (let i = 0; i < n; i++) {
      const si = sigmoid(theta[i]!);
      gradient[i] = prior * (0.5 - si);
      hessian[i * n + i] = prior * si * (1 - si);
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const wij = wins[i * n + j]!;
        const wji = wins[j * n + i]!;
        const total = wij + wji;
        if (total === 0) continue;
        const p = sigmoid(theta[i]! - theta[j]!);
        const residual = wij - total * p;
        const info = total * p * (1 - p);
        gradient[i]! += residual;
        gradient[j]! -= residual;
        hessian[i * n + i]! += info;
        hessian[j * n + j]! += info;
        hessian[i * n + j]! -= info;
        hessian[j * n + i]! -= info;
      }
    }
    choleskySolve(hessian, gradient, n);
    // Backtracking: far from the optimum a full Newton step can overshoot and lower the posterior.
    let step = 1;
    let next = current;
    for (let halvings = 0; halvings < 40; halvings++) {
      for (let i = 0; i < n; i++) candidate[i] = theta[i]! + step * gradient[i]!;
      next = logLikelihood(candidate, wins, n, prior);
      if (next >= current - 1e-12 * Math.abs(current)) break;
      step /= 2;
    }
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(candidate[i]! - theta[i]!));
    theta.set(candidate);
    current = next;
    if (largest < tolerance) break;
  }
  return theta;
}

/** Strengths to the Elo scale, recentred so the models' mean is exactly 1000. */
export function strengthsToElo(theta: Float64Array): Float64Array {
  const n = theta.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += theta[i]!;
  mean = n > 0 ? mean / n : 0;
  const ratings = new Float64Array(n);
  for (let i = 0; i < n; i++) ratings[i] = ELO_MEAN + ELO_PER_NATURAL * (theta[i]! - mean);
  return ratings;
}

/** Elo-scale Bradley-Terry ratings of every model in the battles. */
export function fitBradleyTerry(battles: Iterable<Battle>, options: FitOptions = {}): Map<string, number> {
  const matrix = pairMatrixFromBattles(battles);
  const ratings = strengthsToElo(fitStrengths(matrix, options));
  return new Map(matrix.models.map((m, i) => [m, ratings[i]!]));
}
