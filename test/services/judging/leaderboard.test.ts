// The leaderboard: ratings as the fit gives them, seeded intervals, rank by overlap, provisional, speed-ups kept exact.
import { describe, expect, it } from 'vitest';
import { type Vote, voteToBattles } from '../../../src/services/judging/battles.js';
import { fitBradleyTerry } from '../../../src/services/judging/bradley-terry.js';
import {
  aggregateVotes,
  computeLeaderboard,
  defaultBootstrapRounds,
} from '../../../src/services/judging/leaderboard.js';
import { FOUR_MODELS, type PairCounts, shuffled, votesFromCounts } from './fixtures.js';

describe('computeLeaderboard', () => {
  const votes = votesFromCounts(FOUR_MODELS);

  it('rates with the Bradley-Terry fit of the battles, sorted by rating, with the tallies', () => {
    const board = computeLeaderboard(votes, { bootstrapRounds: 200 });
    const direct = fitBradleyTerry(votes.flatMap(voteToBattles));
    expect(board.votes).toBe(52);
    expect(board.models.map((m) => m.modelId)).toEqual(['a', 'b', 'c', 'd']);
    for (const m of board.models) expect(m.rating).toBeCloseTo(direct.get(m.modelId)!, 9);
    const a = board.models[0]!;
    // a: 6+7+3 wins, 4+2+1 losses, 2 ties and 1 all_bad (a tie too), 26 battles.
    expect({ wins: a.wins, ties: a.ties, losses: a.losses, allBad: a.allBad, battles: a.battles }).toEqual({
      wins: 16,
      ties: 3,
      losses: 7,
      allBad: 1,
      battles: 26,
    });
    expect(a.provisional).toBe(false);
  });

  it('gives the same numbers for the same votes and seed, in any order, and others for another seed', () => {
    const one = computeLeaderboard(votes, { seed: 7, bootstrapRounds: 300 });
    const again = computeLeaderboard(shuffled(votes, 11), { seed: 7, bootstrapRounds: 300 });
    const other = computeLeaderboard(votes, { seed: 8, bootstrapRounds: 300 });
    expect(again).toEqual(one);
    expect(other.models.map((m) => m.rating)).toEqual(one.models.map((m) => m.rating));
    expect(other.models.map((m) => m.ci95)).not.toEqual(one.models.map((m) => m.ci95));
  });

  it('puts each rating inside an interval of plausible width', () => {
    const board = computeLeaderboard(votes, { bootstrapRounds: 500 });
    for (const m of board.models) {
      const [low, high] = m.ci95;
      expect(low).toBeLessThan(m.rating);
      expect(high).toBeGreaterThan(m.rating);
      // About 26 votes a model: a standard error near 60 points, so the 95% interval spans 200 to 250.
      expect(high - low).toBeGreaterThan(100);
      expect(high - low).toBeLessThan(600);
    }
  });

  it('narrows the intervals as the same proportions are seen more often', () => {
    const few = computeLeaderboard(votes, { bootstrapRounds: 400 });
    const many = computeLeaderboard(
      votesFromCounts(
        FOUR_MODELS.map(([x, y, w, l, t, b]): PairCounts => [x, y, w * 16, l * 16, t * 16, b * 16]),
      ),
      { bootstrapRounds: 400 },
    );
    const width = (b: typeof few) => b.models.map((m) => m.ci95[1] - m.ci95[0]);
    // Sixteen times the votes: a quarter of the width, give or take bootstrap noise.
    width(many).forEach((w, i) => {
      const ratio = w / width(few)[i]!;
      expect(ratio).toBeGreaterThan(0.15);
      expect(ratio).toBeLessThan(0.4);
    });
  });

  it('ranks by overlap: a model is behind only those whose interval lies wholly above its own', () => {
    // top beats everyone often; mid1 and mid2 are alike; low loses; so top 1, mids 2 and 2, low 4.
    const board = computeLeaderboard(
      votesFromCounts([
        ['top', 'mid1', 40, 10, 0, 0],
        ['top', 'mid2', 40, 10, 0, 0],
        ['mid1', 'mid2', 25, 25, 0, 0],
        ['mid1', 'low', 40, 10, 0, 0],
        ['mid2', 'low', 40, 10, 0, 0],
        ['top', 'low', 48, 2, 0, 0],
      ]),
      { bootstrapRounds: 400 },
    );
    const rank = Object.fromEntries(board.models.map((m) => [m.modelId, m.rank]));
    expect(rank).toEqual({ top: 1, mid1: 2, mid2: 2, low: 4 });
    const [top, mid] = board.models;
    expect(top!.ci95[0]).toBeGreaterThan(mid!.ci95[1]);
  });

  it('marks a model with fewer than 10 battles provisional, at 10 not', () => {
    const board = computeLeaderboard(
      votesFromCounts([
        ['x', 'y', 6, 3, 0, 0],
        ['x', 'z', 1, 0, 0, 0],
      ]),
      {
        bootstrapRounds: 50,
      },
    );
    const entry = Object.fromEntries(board.models.map((m) => [m.modelId, m]));
    expect([entry.x!.battles, entry.x!.provisional]).toEqual([10, false]);
    expect([entry.y!.battles, entry.y!.provisional]).toEqual([9, true]);
    expect([entry.z!.battles, entry.z!.provisional]).toEqual([1, true]);
  });

  it('weighs an N-way vote as N−1 battles of 1/(N−1) and counts a vote without battles', () => {
    const three: Vote = { sessionId: 's', models: ['a', 'b', 'c'], choice: 'b', tstamp: 1, blind: true };
    const alone: Vote = { sessionId: 't', models: ['a'], choice: 'a', tstamp: 1, blind: true };
    const board = computeLeaderboard([three, alone], { bootstrapRounds: 20 });
    expect(board.votes).toBe(2);
    const b = board.models.find((m) => m.modelId === 'b')!;
    const a = board.models.find((m) => m.modelId === 'a')!;
    expect([b.wins, b.battles, a.losses, a.battles]).toEqual([1, 1, 0.5, 0.5]);
    expect(board.models[0]!.modelId).toBe('b');
  });

  it('collapses identical votes into kinds, whatever their slot order', () => {
    const table = aggregateVotes([
      { sessionId: '1', models: ['b', 'a'], choice: 'a', tstamp: 1, blind: true },
      { sessionId: '2', models: ['a', 'b'], choice: 'a', tstamp: 2, blind: false },
      { sessionId: '3', models: ['a', 'b'], choice: 'tie', tstamp: 3, blind: true },
    ]);
    expect(table.kinds).toEqual([
      { models: ['a', 'b'], choice: 'a', count: 2 },
      { models: ['a', 'b'], choice: 'tie', count: 1 },
    ]);
  });

  it('chooses fewer bootstrap rounds as the data grows, from 1000 down to 100', () => {
    expect(defaultBootstrapRounds(50, 4)).toBe(1000);
    expect(defaultBootstrapRounds(9704, 20)).toBe(450);
    expect(defaultBootstrapRounds(100_000, 200)).toBe(100);
    expect(computeLeaderboard(votes).bootstrapRounds).toBe(1000);
  });

  it('returns an empty board for no votes', () => {
    expect(computeLeaderboard([])).toEqual({ votes: 0, bootstrapRounds: 1000, models: [] });
  });
});
