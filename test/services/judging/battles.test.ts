// Votes as weighted battles: N-way weights, ties and all_bad, and the tallies the leaderboard shows.
import { describe, expect, it } from 'vitest';
import { tallyVotes, type Vote, voteToBattles } from '../../../src/services/judging/battles.js';

const vote = (models: string[], choice: string): Vote => ({
  sessionId: 's',
  models,
  choice,
  tstamp: 1,
  blind: false,
});

describe('voteToBattles', () => {
  it('turns a choice among 4 into 3 battles it won, each weighing 1/3, on the side of its slot', () => {
    expect(voteToBattles(vote(['a', 'b', 'c', 'd'], 'c'))).toEqual([
      { a: 'a', b: 'c', winner: 'b', weight: 1 / 3 },
      { a: 'b', b: 'c', winner: 'b', weight: 1 / 3 },
      { a: 'c', b: 'd', winner: 'a', weight: 1 / 3 },
    ]);
  });

  it('turns tie and all_bad among 3 into one tied battle per pair, each weighing 1/2', () => {
    const expected = [
      { a: 'a', b: 'b', winner: 'tie', weight: 0.5 },
      { a: 'a', b: 'c', winner: 'tie', weight: 0.5 },
      { a: 'b', b: 'c', winner: 'tie', weight: 0.5 },
    ];
    expect(voteToBattles(vote(['a', 'b', 'c'], 'tie'))).toEqual(expected);
    expect(voteToBattles(vote(['a', 'b', 'c'], 'all_bad'))).toEqual(expected);
  });

  it('gives a two-model vote one battle of weight 1 and a one-model vote none', () => {
    expect(voteToBattles(vote(['a', 'b'], 'a'))).toEqual([{ a: 'a', b: 'b', winner: 'a', weight: 1 }]);
    expect(voteToBattles(vote(['a'], 'a'))).toEqual([]);
  });

  it('refuses a choice outside the completed models and a model listed twice', () => {
    expect(() => voteToBattles(vote(['a', 'b'], 'c'))).toThrow(RangeError);
    expect(() => voteToBattles(vote(['a', 'b', 'a'], 'tie'))).toThrow(RangeError);
  });
});

describe('tallyVotes', () => {
  it('sums battle weights: a 3-way choice, a 3-way all_bad and a 2-way tie', () => {
    const tallies = tallyVotes([
      vote(['a', 'b', 'c'], 'a'),
      vote(['a', 'b', 'c'], 'all_bad'),
      vote(['b', 'c'], 'tie'),
    ]);
    expect(Object.fromEntries(tallies)).toEqual({
      a: { wins: 1, ties: 1, losses: 0, allBad: 1, battles: 2 },
      b: { wins: 0, ties: 2, losses: 0.5, allBad: 1, battles: 2.5 },
      c: { wins: 0, ties: 2, losses: 0.5, allBad: 1, battles: 2.5 },
    });
  });
});
