// Seeded randomness for the leaderboard bootstrap: a small PRNG and a Poisson sampler, no global state.

/** A uniform number in [0, 1); each call advances the generator that returned it. */
export type Uniform = () => number;

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): tiny, fast and good enough for a
 * bootstrap; what matters here is that a seed always gives the same stream on every machine.
 * The state lives in the closure, so two leaderboards never share a stream.
 */
export function mulberry32(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOGGAM_COEFFICIENTS = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4,
  8.417508417508418e-4, -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2,
  1.796443723688307e-1, -1.3924322169059,
] as const;

/** log Γ(x) for x ≥ 1 by Stirling's series, shifted up to 7 first (the same routine numpy's sampler uses). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const shift = x <= 7 ? Math.floor(7 - x) : 0;
  let x0 = x + shift;
  const x2 = 1 / (x0 * x0);
  let series = LOGGAM_COEFFICIENTS[9];
  for (let k = 8; k >= 0; k--) series = series * x2 + (LOGGAM_COEFFICIENTS[k] ?? 0);
  let value = series / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 0; k < shift; k++) {
    x0 -= 1;
    value -= Math.log(x0);
  }
  return value;
}

/** The CDF of Poisson(mean) over [low, low + cdf.length), for draws by inversion. */
export interface PoissonTable {
  readonly low: number;
  readonly cdf: Float64Array;
  /** Small means (most vote kinds are seen once or twice): a scan from 0 takes mean + 1 steps on average. */
  readonly scan: boolean;
}

/**
 * Poisson(mean) by inversion (Devroye, "Non-Uniform Random Variate Generation", 1986, §X.3) over a
 * table of the CDF built once per mean: the bootstrap draws the same few means (vote counts are
 * integers) millions of times, and a binary search costs one uniform, where Hörmann's PTRS rejection
 * needs two or more plus three logarithms. The table covers mean ± (12·√mean + 20); what lies
 * outside has a probability below 1e-30, and the table is renormalised over what it covers.
 */
export function poissonTable(mean: number): PoissonTable {
  if (!(mean > 0) || !Number.isFinite(mean)) return { low: 0, cdf: Float64Array.of(1), scan: true };
  const reach = 12 * Math.sqrt(mean) + 20;
  const low = Math.max(0, Math.floor(mean - reach));
  const high = Math.ceil(mean + reach);
  const cdf = new Float64Array(high - low + 1);
  const logMean = Math.log(mean);
  let total = 0;
  for (let k = low; k <= high; k++) {
    total += Math.exp(-mean + k * logMean - logGamma(k + 1));
    cdf[k - low] = total;
  }
  for (let i = 0; i < cdf.length; i++) cdf[i]! /= total;
  cdf[cdf.length - 1] = 1;
  return { low, cdf, scan: mean <= 4 };
}

/** One draw from a Poisson table: the smallest k whose CDF exceeds a uniform. */
export function drawPoisson(table: PoissonTable, u: number): number {
  const { cdf } = table;
  if (table.scan) {
    let k = 0;
    while (cdf[k]! <= u) k++;
    return table.low + k;
  }
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return table.low + lo;
}
