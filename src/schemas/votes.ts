// Schemas of judging: a vote, a reveal, the leaderboard.
import { z } from 'zod';

export const voteBodySchema = z.object({
  choice: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'A model id (a slot, A, B, ..., in a blind session), "tie" or "all_bad"' }),
  reason: z.string().max(2000, 'must be at most 2000 characters').optional(),
});

const revealSchema = z.array(
  z.object({ slot: z.string(), modelId: z.string(), provider: z.string(), name: z.string() }),
);

export const voteResultSchema = z.object({
  sessionId: z.string(),
  choice: z.string(),
  reveal: revealSchema.nullable().meta({ description: 'The slots revealed, for a blind session' }),
});

export const revealResultSchema = z.object({ sessionId: z.string(), reveal: revealSchema });

export const leaderboardQuerySchema = z.object({
  scope: z.enum(['me', 'all']).default('me'),
  mode: z.enum(['blind', 'all']).default('all'),
});

export const leaderboardSchema = z
  .object({
    method: z.literal('bradley-terry'),
    scope: z.enum(['me', 'all']),
    mode: z.enum(['blind', 'all']),
    votes: z.number().int(),
    models: z.array(
      z.object({
        modelId: z.string(),
        name: z.string(),
        provider: z.string(),
        rating: z.number(),
        ci95: z.tuple([z.number(), z.number()]),
        rank: z.number().int(),
        wins: z.number(),
        ties: z.number(),
        losses: z.number(),
        allBad: z.number(),
        battles: z.number(),
        provisional: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Leaderboard' });
