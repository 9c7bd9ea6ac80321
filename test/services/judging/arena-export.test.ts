// The Arena export: FastChat's battle lines, one per pairwise battle, with its winner spellings.
import { describe, expect, it } from 'vitest';
import { voteToArenaBattles, voteToArenaNdjson } from '../../../src/services/judging/arena-export.js';
import type { Vote } from '../../../src/services/judging/battles.js';

const vote = (models: string[], choice: string, blind = true): Vote => ({
  sessionId: 'sess-1',
  models,
  choice,
  tstamp: 1_700_000_123.5,
  blind,
});

describe('voteToArenaBattles', () => {
  it('writes a two-way choice as one line, model_a in the first slot', () => {
    expect(voteToArenaBattles(vote(['gpt-5', 'claude-opus-4-6'], 'claude-opus-4-6'))).toEqual([
      {
        question_id: 'sess-1',
        model_a: 'gpt-5',
        model_b: 'claude-opus-4-6',
        winner: 'model_b',
        anony: true,
        tstamp: 1_700_000_123.5,
      },
    ]);
  });

  it('writes a 3-way choice as the 2 battles of the chosen model', () => {
    const lines = voteToArenaBattles(vote(['a', 'b', 'c'], 'a', false));
    expect(lines.map((l) => [l.model_a, l.model_b, l.winner, l.anony])).toEqual([
      ['a', 'b', 'model_a', false],
      ['a', 'c', 'model_a', false],
    ]);
  });

  it('writes tie as "tie" and all_bad as "tie (bothbad)", one line per pair', () => {
    expect(
      voteToArenaBattles(vote(['a', 'b', 'c'], 'tie')).map((l) => [l.model_a, l.model_b, l.winner]),
    ).toEqual([
      ['a', 'b', 'tie'],
      ['a', 'c', 'tie'],
      ['b', 'c', 'tie'],
    ]);
    expect(voteToArenaBattles(vote(['a', 'b'], 'all_bad')).map((l) => l.winner)).toEqual(['tie (bothbad)']);
  });

  it('has exactly the six fields of the format', () => {
    const [line] = voteToArenaBattles(vote(['a', 'b'], 'b'));
    expect(Object.keys(line!).sort()).toEqual([
      'anony',
      'model_a',
      'model_b',
      'question_id',
      'tstamp',
      'winner',
    ]);
  });
});

describe('voteToArenaNdjson', () => {
  it('is one JSON object per line, each ending in a newline, and nothing for a vote without battles', () => {
    const text = voteToArenaNdjson(vote(['a', 'b', 'c'], 'c'));
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual({
      question_id: 'sess-1',
      model_a: 'b',
      model_b: 'c',
      winner: 'model_b',
      anony: true,
      tstamp: 1_700_000_123.5,
    });
    expect(voteToArenaNdjson(vote(['a'], 'a'))).toBe('');
  });
});
