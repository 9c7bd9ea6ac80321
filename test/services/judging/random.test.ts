// The seeded PRNG and the Poisson table: reproducible streams and the right first two moments.
import { describe, expect, it } from 'vitest';
import { drawPoisson, logGamma, mulberry32, poissonTable } from '../../../src/services/judging/random.js';

describe('mulberry32', () => {
  it('repeats its stream for a seed, differs for another, and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(c()).not.toBe(first[0]);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThan(1);
  });
});

describe('logGamma', () => {
  it('matches log((k−1)!)', () => {
    expect(logGamma(1)).toBe(0);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
});

describe('poissonTable', () => {
  it.each([1, 3, 37, 2500])('has mean and variance %d within 4 standard errors', (mean) => {
    const table = poissonTable(mean);
    const uniform = mulberry32(mean);
    const n = 20_000;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const k = drawPoisson(table, uniform());
      sum += k;
      squares += k * k;
    }
    const m = sum / n;
    const v = squares / n - m * m;
    expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(mean / n));
    // The variance of a sample variance of Poisson(λ) is about (λ + 2λ²)/n.
    expect(Math.abs(v - mean)).toBeLessThan(4 * Math.sqrt((mean + 2 * mean * mean) / n));
  });

  it('gives P(0) = e^−1 for mean 1 and 0 for mean 0', () => {
    expect(poissonTable(1).cdf[0]).toBeCloseTo(Math.exp(-1), 12);
    expect(drawPoisson(poissonTable(0), 0.999)).toBe(0);
  });
});
