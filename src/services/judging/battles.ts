// A vote on a session of N completed models as weighted pairwise battles, and per-model tallies of them.
import type { Battle } from './bradley-terry.js';

export const TIE = 'tie';
export const ALL_BAD = 'all_bad';

/** One vote as the judging core sees it; the caller keeps only the last vote of a re-voted session. */
export interface Vote {
  readonly sessionId: string;
  /** The ids of the session's completed models, in slot (display) order; A/B orientation follows it. */
  readonly models: readonly string[];
  /** A model id from `models`, `'tie'` or `'all_bad'`. */
  readonly choice: string;
  /** Unix time in seconds (Chatbot Arena's unit, passed through to the export). */
  readonly tstamp: number;
  /** Whether the session was blind when the vote was cast. */
  readonly blind: boolean;
}

/** Sums of battle weights; `ties` includes the tied battles of `all_bad` votes, so wins + ties + losses = battles. */
export interface ModelTally {
  wins: number;
  ties: number;
  losses: number;
  allBad: number;
  battles: number;
}

export function emptyTally(): ModelTally {
  return { wins: 0, ties: 0, losses: 0, allBad: 0, battles: 0 };
}

/** Throws on a vote the service should never have stored: duplicate models or a choice outside them. */
export function assertValidVote(vote: Vote): void {
  const { models } = vote;
  // Pairwise rather than a Set: sessions have a handful of models and this runs on every stored vote.
  for (let i = 1; i < models.length; i++) {
    if (models.indexOf(models[i]!) !== i)
      throw new RangeError(`vote on session ${vote.sessionId} lists a model twice`);
  }
  if (vote.choice !== TIE && vote.choice !== ALL_BAD && !models.includes(vote.choice)) {
    throw new RangeError(`vote on session ${vote.sessionId} chooses ${vote.choice}, not one of its models`);
  }
}

/**
 * The contract's battles: a choice is N−1 battles won by the chosen model over each other one; `tie`
 * and `all_bad` are one tied battle per pair; every battle weighs 1/(N−1), so a model's battles in one
 * vote sum to at most 1. A session with fewer than 2 completed models gives no battle.
 */
export function voteToBattles(vote: Vote): Battle[] {
  assertValidVote(vote);
  const { models, choice } = vote;
  const n = models.length;
  if (n < 2) return [];
  const weight = 1 / (n - 1);
  const battles: Battle[] = [];
  if (choice === TIE || choice === ALL_BAD) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) battles.push({ a: models[i]!, b: models[j]!, winner: 'tie', weight });
    }
    return battles;
  }
  // The chosen model sits on the side its slot puts it: A when it comes first in the pair.
  const chosen = models.indexOf(choice);
  for (let i = 0; i < n; i++) {
    if (i === chosen) continue;
    battles.push(
      i < chosen
        ? { a: models[i]!, b: choice, winner: 'b', weight }
        : { a: choice, b: models[i]!, winner: 'a', weight },
    );
  }
  return battles;
}

/** Adds one vote (counted `multiplicity` times) to `tallies`, which the caller owns. */
export function addVoteToTallies(tallies: Map<string, ModelTally>, vote: Vote, multiplicity = 1): void {
  const battles = voteToBattles(vote);
  const tallyOf = (model: string) => {
    let tally = tallies.get(model);
    if (!tally) {
      tally = emptyTally();
      tallies.set(model, tally);
    }
    return tally;
  };
  for (const battle of battles) {
    const w = battle.weight * multiplicity;
    const a = tallyOf(battle.a);
    const b = tallyOf(battle.b);
    a.battles += w;
    b.battles += w;
    if (battle.winner === 'tie') {
      a.ties += w;
      b.ties += w;
      if (vote.choice === ALL_BAD) {
        a.allBad += w;
        b.allBad += w;
      }
    } else {
      const [winner, loser] = battle.winner === 'a' ? [a, b] : [b, a];
      winner.wins += w;
      loser.losses += w;
    }
  }
}

/** Per-model tallies of a list of votes. */
export function tallyVotes(votes: Iterable<Vote>): Map<string, ModelTally> {
  const tallies = new Map<string, ModelTally>();
  for (const vote of votes) addVoteToTallies(tallies, vote);
  return tallies;
}
