// One vote as lines of Chatbot Arena's battle format, for GET /votes/export (application/x-ndjson).
//
// The format is what FastChat's clean_battle_data.py writes and its analysis reads (lm-sys/FastChat,
// fastchat/serve/monitor/clean_battle_data.py and elo_analysis.py at 0e6d3e4): `question_id`,
// `model_a`, `model_b`, `winner` (`model_a`, `model_b`, `tie`, `tie (bothbad)`), `anony` (a boolean:
// report_elo_analysis_results keeps only `battles[battles["anony"]]`) and `tstamp` (Unix seconds, which
// it turns into dates with datetime.fromtimestamp). Its fits read only model_a, model_b and winner,
// and count "tie (bothbad)" as a tie, as we do. FastChat reads a JSON array (pd.read_json(path));
// our NDJSON reads with pd.read_json(path, lines=True), or becomes that array with `jq -s .`.
//
// Weights: an Arena line has none, each weighs 1. A choice among N models is exported as its N−1
// battles (the chosen model against each other one) and a tie or all_bad as all N(N−1)/2 pairs, which
// are the leaderboard's battles each multiplied by N−1. Within one vote the proportions are therefore
// exact, and for two-model sessions the export is the leaderboard's data itself; across votes, an
// N-way vote weighs N−1 times a two-way one in FastChat's fit where it weighs the same in ours.
import { ALL_BAD, type Vote, voteToBattles } from './battles.js';

export type ArenaWinner = 'model_a' | 'model_b' | 'tie' | 'tie (bothbad)';

export interface ArenaBattle {
  readonly question_id: string;
  readonly model_a: string;
  readonly model_b: string;
  readonly winner: ArenaWinner;
  readonly anony: boolean;
  readonly tstamp: number;
}

/** The vote's battles in Arena's shape; model_a is the pair's model in the earlier slot. */
export function voteToArenaBattles(vote: Vote): ArenaBattle[] {
  const tie: ArenaWinner = vote.choice === ALL_BAD ? 'tie (bothbad)' : 'tie';
  return voteToBattles(vote).map((battle) => ({
    question_id: vote.sessionId,
    model_a: battle.a,
    model_b: battle.b,
    winner: battle.winner === 'tie' ? tie : battle.winner === 'a' ? 'model_a' : 'model_b',
    anony: vote.blind,
    tstamp: vote.tstamp,
  }));
}

/** The vote's NDJSON text: one JSON object per line, each line ending in "\n" ("" for no battle). */
export function voteToArenaNdjson(vote: Vote): string {
  return voteToArenaBattles(vote)
    .map((line) => `${JSON.stringify(line)}\n`)
    .join('');
}
