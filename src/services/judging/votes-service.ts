// Votes, reveals and leaderboards as the routes see them: the rules of the contract over the stores.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { Errors } from '../../errors.js';
import { catalog } from '../../providers/catalog.js';
import type { ModelInfo } from '../../providers/types.js';
import type { SessionStore, StoredVote, VoteStore } from '../../repositories/types.js';
import type { leaderboardSchema } from '../../schemas/votes.js';
import { isHidden, slotOf } from '../blind.js';
import type { ModelDirectory } from '../model-choice.js';
import { voteToArenaNdjson } from './arena-export.js';
import { ALL_BAD, assertValidVote, TIE, type Vote } from './battles.js';
import { createIdentityLeakDetector } from './identity-leak.js';
import { aggregateKinds, leaderboardFromTable } from './leaderboard.js';

export type Scope = 'me' | 'all';
export type Mode = 'blind' | 'all';

/** The newest vote of each session: a re-voted named session counts once, as its last vote. */
function lastPerSession(votes: readonly StoredVote[]): StoredVote[] {
  const last = new Map<string, StoredVote>();
  for (const v of votes) last.set(`${v.userId}:${v.sessionId}`, v);
  return [...last.values()];
}

/**
 * `blind` is what Arena calls `anony`: a leaked blind vote is not anonymous any more (FastChat's
 * clean_battle_data.py drops battles whose answers name a model), so FastChat's scripts, which keep
 * anony battles only, see the same votes as our blind leaderboard.
 */
const toVote = (v: StoredVote): Vote => ({
  sessionId: v.sessionId,
  models: v.models,
  choice: v.choice,
  tstamp: Math.floor(v.createdAt.getTime() / 1000),
  blind: v.blind && !v.leaked,
});

type Board = z.infer<typeof leaderboardSchema>;

export function createVotesService(deps: {
  sessions: SessionStore;
  votes: VoteStore;
  /** `endpointOf` names an endpoint model's server too ("Ollama on this machine"), for leak checks. */
  models: ModelDirectory & { endpointOf?(model: ModelInfo): { name: string } | undefined };
}) {
  const { sessions, votes, models } = deps;
  // The board per (scope, user, mode), valid while the store's vote stamp stays the same: a vote
  // stored by any instance changes the stamp, so no instance serves a board that misses it. One app,
  // one cache, no globals; bounded, since scope=me keeps a board per user.
  const cache = new Map<string, Promise<Board>>();
  let cacheStamp = '';
  const MAX_CACHED_BOARDS = 1000;
  const catalogueNames = catalog.flatMap((m) => [m.id, m.name, m.provider, m.upstreamModel]);

  /** The catalogue's names and every name of the session's own models (endpoint models are not in it). */
  const leakDetectorFor = (responses: readonly { modelId: string; provider: string }[]) => {
    const own = responses.flatMap((r) => {
      const m = models.get(r.modelId);
      const endpoint = m ? models.endpointOf?.(m)?.name : undefined;
      return [
        r.modelId,
        r.provider,
        ...(m ? [m.name, m.upstreamModel] : []),
        ...(endpoint ? [endpoint] : []),
      ];
    });
    return createIdentityLeakDetector(new Set([...catalogueNames, ...own]));
  };

  const describe = (modelId: string, provider: string) => {
    const m = models.get(modelId) ?? catalog.find((c) => c.id === modelId);
    return { modelId, provider: m?.provider ?? provider, name: m?.name ?? modelId };
  };

  async function ended(userId: string, id: string) {
    const found = await sessions.findForUser(userId, id);
    if (!found) throw new Errors.NotFound('Comparison not found');
    if (found.session.status === 'pending' || found.session.status === 'in_progress')
      throw new Errors.Conflict('This comparison is still running; vote once it has ended');
    return found;
  }

  /** Reads the votes and fits them: only on a cache miss (100,000 votes take a while to read). */
  async function computeBoard(userId: string, scope: Scope, mode: Mode): Promise<Board> {
    const rows = await votes.tally({
      ...(scope === 'me' ? { userId } : {}),
      blindOnly: mode === 'blind',
    });
    for (const row of rows) {
      // A row that breaks the rules (a model twice, a choice not among them) fails loudly, as before.
      assertValidVote({
        sessionId: '(tally)',
        models: row.models,
        choice: row.choice,
        tstamp: 0,
        blind: false,
      });
    }
    const board = leaderboardFromTable(aggregateKinds(rows));
    const providerOf = new Map<string, string>();
    for (const row of rows) for (const m of row.models) providerOf.set(m, m.split('/')[0] ?? '');
    return {
      method: 'bradley-terry' as const,
      scope,
      mode,
      votes: board.votes,
      models: board.models.map((m) => {
        const { name, provider } = describe(m.modelId, providerOf.get(m.modelId) ?? '');
        return {
          modelId: m.modelId,
          name,
          provider,
          rating: m.rating,
          ci95: [m.ci95[0], m.ci95[1]] as [number, number],
          rank: m.rank,
          wins: m.wins,
          ties: m.ties,
          losses: m.losses,
          allBad: m.allBad,
          battles: m.battles,
          provisional: m.provisional,
        };
      }),
    };
  }

  const revealOf = (responses: { modelId: string; provider: string; position: number }[]) =>
    responses.map((r) => ({ slot: slotOf(r.position), ...describe(r.modelId, r.provider) }));

  return {
    async vote(userId: string, id: string, body: { choice: string; reason?: string }) {
      const { session, responses } = await ended(userId, id);
      const hidden = isHidden(session);
      const earlier = await votes.forSession(userId, id);
      if (session.blind && earlier.some((v) => v.blind))
        throw new Errors.Conflict('A blind comparison takes one vote, and this one has it');
      const completed = responses.filter((r) => r.status === 'completed');
      let choice = body.choice;
      if (choice !== TIE && choice !== ALL_BAD) {
        const chosen = responses.find((r) => (hidden ? slotOf(r.position) : r.modelId) === choice);
        if (!chosen) throw new Errors.BadRequest(`${choice} is not a model of this comparison`);
        if (chosen.status !== 'completed')
          throw new Errors.BadRequest(`${choice} did not complete; only completed answers can be chosen`);
        choice = chosen.modelId;
      }
      if (completed.length === 0) throw new Errors.BadRequest('No model of this comparison completed');
      const now = new Date();
      const lastToken = Math.max(...responses.map((r) => r.updatedAt.getTime()));
      const stored = await votes.insert({
        id: randomUUID(),
        userId,
        sessionId: id,
        choice,
        reason: body.reason ?? null,
        blind: hidden,
        allCompleted: completed.length === responses.length,
        secondsToVote: Math.max(0, (now.getTime() - lastToken) / 1000),
        models: completed.map((r) => r.modelId),
        positions: responses.map((r) => ({ slot: slotOf(r.position), modelId: r.modelId })),
        // The user read the reasoning too: a model that names itself there leaks as much.
        leaked:
          hidden && leakDetectorFor(responses)(completed.flatMap((r) => [r.response, r.reasoning])).leaked,
        createdAt: now,
      });
      // Two blind votes at once: the store took the first one.
      if (!stored) throw new Errors.Conflict('A blind comparison takes one vote, and this one has it');
      cache.clear();
      if (!session.blind) return { sessionId: id, choice: body.choice, reveal: null };
      await sessions.reveal(userId, id, now);
      return { sessionId: id, choice: body.choice, reveal: revealOf(responses) };
    },

    /** Reveals a blind session without a vote; a vote after it counts as named. */
    async reveal(userId: string, id: string) {
      const { session, responses } = await ended(userId, id);
      if (!session.blind) throw new Errors.BadRequest('This comparison is not blind');
      await sessions.reveal(userId, id, new Date());
      return { sessionId: id, reveal: revealOf(responses) };
    },

    async leaderboard(userId: string, scope: Scope, mode: Mode): Promise<Board> {
      const key = `${scope}:${scope === 'me' ? userId : ''}:${mode}`;
      const stamp = await votes.stamp();
      if (stamp !== cacheStamp || cache.size >= MAX_CACHED_BOARDS) {
        cache.clear();
        cacheStamp = stamp;
      }
      const cached = cache.get(key);
      if (cached) return cached;
      // A vote landing while this computes changes the stamp: the next request computes afresh.
      const board = computeBoard(userId, scope, mode);
      cache.set(key, board);
      board.catch(() => cache.delete(key));
      return board;
    },

    /** The user's votes as Chatbot Arena battles, one NDJSON line per pair. */
    async exportNdjson(userId: string) {
      const mine = lastPerSession(await votes.listForUser(userId));
      return mine.map((v) => voteToArenaNdjson(toVote(v))).join('');
    },
  };
}

export type VotesService = ReturnType<typeof createVotesService>;
