// Votes, reveals and leaderboards as the routes see them: the rules of the contract over the stores.
import { randomUUID } from 'node:crypto';
import { Errors } from '../../errors.js';
import { catalog } from '../../providers/catalog.js';
import type { SessionStore, StoredVote, VoteStore } from '../../repositories/types.js';
import { isHidden, slotOf } from '../blind.js';
import type { ModelDirectory } from '../model-choice.js';
import { voteToArenaNdjson } from './arena-export.js';
import { ALL_BAD, TIE, type Vote } from './battles.js';
import { createIdentityLeakDetector } from './identity-leak.js';
import { computeLeaderboard } from './leaderboard.js';

export type Scope = 'me' | 'all';
export type Mode = 'blind' | 'all';

/** The newest vote of each session: a re-voted named session counts once, as its last vote. */
function lastPerSession(votes: readonly StoredVote[]): StoredVote[] {
  const last = new Map<string, StoredVote>();
  for (const v of votes) last.set(`${v.userId}:${v.sessionId}`, v);
  return [...last.values()];
}

const toVote = (v: StoredVote): Vote => ({
  sessionId: v.sessionId,
  models: v.models,
  choice: v.choice,
  tstamp: Math.floor(v.createdAt.getTime() / 1000),
  blind: v.blind,
});

export function createVotesService(deps: {
  sessions: SessionStore;
  votes: VoteStore;
  models: ModelDirectory;
}) {
  const { sessions, votes, models } = deps;
  // The fit per (scope, user, mode), dropped on every new vote: one app, one cache, no globals.
  const cache = new Map<string, ReturnType<typeof computeLeaderboard>>();
  const names = [...new Set(catalog.flatMap((m) => [m.id, m.name, m.provider]))];
  const detectLeak = createIdentityLeakDetector(names);

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
      await votes.insert({
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
        leaked: hidden && detectLeak(completed.map((r) => r.response)).leaked,
        createdAt: now,
      });
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

    async leaderboard(userId: string, scope: Scope, mode: Mode) {
      const key = `${scope}:${scope === 'me' ? userId : ''}:${mode}`;
      let board = cache.get(key);
      const all = lastPerSession(scope === 'me' ? await votes.listForUser(userId) : await votes.listAll());
      const counted = mode === 'blind' ? all.filter((v) => v.blind && !v.leaked) : all;
      if (!board) {
        board = computeLeaderboard(counted.map(toVote));
        cache.set(key, board);
      }
      const providerOf = new Map<string, string>();
      for (const v of counted)
        for (const p of v.positions) providerOf.set(p.modelId, p.modelId.split('/')[0] ?? '');
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
    },

    /** The user's votes as Chatbot Arena battles, one NDJSON line per pair. */
    async exportNdjson(userId: string) {
      const mine = lastPerSession(await votes.listForUser(userId));
      return mine.map((v) => voteToArenaNdjson(toVote(v))).join('');
    },
  };
}

export type VotesService = ReturnType<typeof createVotesService>;
