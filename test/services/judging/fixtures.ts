// Shared vote sets for the judging tests: two-way votes built from per-pair counts.
import type { Vote } from '../../../src/services/judging/battles.js';

/** [model x, model y, wins of x, wins of y, ties, all_bad] */
export type PairCounts = readonly [string, string, number, number, number, number];

export function votesFromCounts(rows: readonly PairCounts[], blind = true): Vote[] {
  const votes: Vote[] = [];
  let i = 0;
  for (const [x, y, winsX, winsY, ties, allBad] of rows) {
    const push = (choice: string, count: number) => {
      for (let k = 0; k < count; k++) {
        i++;
        votes.push({ sessionId: `s${i}`, models: [x, y], choice, tstamp: 1_700_000_000 + i, blind });
      }
    };
    push(x, winsX);
    push(y, winsY);
    push('tie', ties);
    push('all_bad', allBad);
  }
  return votes;
}

/** Four models, every pair met, nobody unbeaten: FastChat's compute_bt has a finite answer for it. */
export const FOUR_MODELS: readonly PairCounts[] = [
  ['a', 'b', 6, 4, 2, 0],
  ['a', 'c', 7, 2, 0, 1],
  ['b', 'c', 5, 5, 0, 0],
  ['c', 'd', 6, 3, 1, 0],
  ['b', 'd', 4, 2, 0, 0],
  ['a', 'd', 3, 1, 0, 0],
];

/** A deterministic Fisher-Yates shuffle (its own small LCG, so it shares nothing with the code under test). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
