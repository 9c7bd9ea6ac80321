// The Bradley-Terry fit: known answers, FastChat's own numbers, the prior, order independence.
import { describe, expect, it } from 'vitest';
import { voteToBattles } from '../../../src/services/judging/battles.js';
import {
  type Battle,
  ELO_PER_NATURAL,
  fitBradleyTerry,
  fitStrengths,
  pairMatrixFromBattles,
} from '../../../src/services/judging/bradley-terry.js';
import { FOUR_MODELS, shuffled, votesFromCounts } from './fixtures.js';

const battles = (a: string, b: string, winsA: number, winsB: number): Battle[] => [
  ...Array.from({ length: winsA }, (): Battle => ({ a, b, winner: 'a', weight: 1 })),
  ...Array.from({ length: winsB }, (): Battle => ({ a, b, winner: 'b', weight: 1 })),
];

/** Root of an increasing function by bisection: an answer computed without the code under test. */
function bisect(f: (x: number) => number, low: number, high: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = (low + high) / 2;
    if (f(mid) < 0) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('fitBradleyTerry', () => {
  it('gives 3 wins to 1 a gap of 400·log10(3) = 190.85 points when the prior is negligible', () => {
    const r = fitBradleyTerry(battles('x', 'y', 3, 1), { priorWeight: 1e-9 });
    // The MLE of a two-model BT is p = 3/4, so the gap is 400·log10(p / (1 − p)); the prior moves it
    // by about priorWeight × 400 points, far below the tolerance.
    expect(r.get('x')! - r.get('y')!).toBeCloseTo(400 * Math.log10(3), 5);
    expect((r.get('x')! + r.get('y')!) / 2).toBeCloseTo(1000, 9);
  });

  it('shrinks 3 to 1 to 164.84 points with the default prior of one virtual tie against the anchor', () => {
    const r = fitBradleyTerry(battles('x', 'y', 3, 1));
    // By symmetry θx = −θy = t, and x's score equation is 3 − 4σ(2t) + (1/2 − σ(t)) = 0.
    const t = bisect((s) => 4 * sigmoid(2 * s) + sigmoid(s) - 3.5, 0, 10);
    const gap = 2 * t * ELO_PER_NATURAL;
    expect(gap).toBeCloseTo(164.8385, 3);
    expect(r.get('x')! - r.get('y')!).toBeCloseTo(gap, 6);
    expect(r.get('x')! - r.get('y')!).toBeLessThan(400 * Math.log10(3));
  });

  it('matches FastChat compute_bt run on our own Arena export of the same votes', () => {
    // /usr/bin/python3: compute_bt(pd.read_json('votes.ndjson', lines=True)) with lm-sys/FastChat
    // fastchat/serve/monitor/rating_systems.py at 0e6d3e4 (no prior; L-BFGS stopped at gtol 1e-6,
    // hence the 0.01 tolerance), on voteToArenaNdjson of FOUR_MODELS.
    const fastchat = { a: 1111.60415, b: 1017.785564, c: 981.699382, d: 888.910904 };
    const r = fitBradleyTerry(votesFromCounts(FOUR_MODELS).flatMap(voteToBattles), { priorWeight: 1e-9 });
    for (const [model, rating] of Object.entries(fastchat)) expect(r.get(model)).toBeCloseTo(rating, 2);
  });

  it('solves the score equations of the prior-weighted likelihood', () => {
    const matrix = pairMatrixFromBattles(votesFromCounts(FOUR_MODELS).flatMap(voteToBattles));
    const theta = fitStrengths(matrix, { priorWeight: 1 });
    const n = matrix.models.length;
    for (let i = 0; i < n; i++) {
      let score = 0.5 - sigmoid(theta[i]!);
      for (let j = 0; j < n; j++) {
        const wij = matrix.wins[i * n + j]!;
        const wji = matrix.wins[j * n + i]!;
        score += wij - (wij + wji) * sigmoid(theta[i]! - theta[j]!);
      }
      expect(Math.abs(score)).toBeLessThan(1e-9);
    }
  });

  it('keeps an unbeaten model finite, ahead, and closer with fewer wins', () => {
    const ten = fitBradleyTerry(battles('champ', 'other', 10, 0));
    const hundred = fitBradleyTerry(battles('champ', 'other', 100, 0));
    for (const r of [ten, hundred]) {
      expect(Number.isFinite(r.get('champ'))).toBe(true);
      expect(r.get('champ')! - r.get('other')!).toBeGreaterThan(0);
    }
    // 100:0 against one virtual tie each: the gap grows (about like log of the count) but stays bounded.
    expect(hundred.get('champ')! - hundred.get('other')!).toBeGreaterThan(
      ten.get('champ')! - ten.get('other')!,
    );
    expect(hundred.get('champ')! - hundred.get('other')!).toBeLessThan(2000);
  });

  it('counts a tie as half a win for each side', () => {
    const ties: Battle[] = [{ a: 'x', b: 'y', winner: 'tie', weight: 2 }, ...battles('x', 'y', 1, 0)];
    const halves = battles('x', 'y', 2, 1);
    const r1 = fitBradleyTerry(ties);
    const r2 = fitBradleyTerry(halves);
    expect(r1.get('x')).toBeCloseTo(r2.get('x')!, 9);
  });

  it('gives the same bits whatever the order and orientation of the battles', () => {
    const all = votesFromCounts(FOUR_MODELS).flatMap(voteToBattles);
    const flipped = shuffled(all, 3).map(
      (b): Battle => ({
        a: b.b,
        b: b.a,
        winner: b.winner === 'tie' ? 'tie' : b.winner === 'a' ? 'b' : 'a',
        weight: b.weight,
      }),
    );
    expect([...fitBradleyTerry(flipped)]).toEqual([...fitBradleyTerry(all)]);
  });

  it('keeps apart components that never met finite and centred on the mean', () => {
    const r = fitBradleyTerry([...battles('a', 'b', 5, 1), ...battles('c', 'd', 1, 5)]);
    expect(r.get('a')! - r.get('b')!).toBeCloseTo(r.get('d')! - r.get('c')!, 9);
    expect([...r.values()].reduce((s, v) => s + v, 0) / 4).toBeCloseTo(1000, 9);
  });

  it('refuses a prior of zero and battles of a model against itself', () => {
    expect(() => fitBradleyTerry(battles('x', 'y', 1, 1), { priorWeight: 0 })).toThrow(RangeError);
    expect(() => fitBradleyTerry([{ a: 'x', b: 'x', winner: 'a', weight: 1 }])).toThrow(RangeError);
  });
});
