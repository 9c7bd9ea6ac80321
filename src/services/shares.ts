// Share links: read-only snapshots of ended comparisons, behind a store interface (SQLite now, Postgres next).
import { randomBytes } from 'node:crypto';
import { Errors } from '../errors.js';
import type { SharedSnapshot } from '../schemas/shares.js';
import type { SessionView } from './export/session-view.js';

export interface ShareRecord {
  id: string;
  sessionId: string;
  userId: string;
  snapshot: SharedSnapshot;
  createdAt: Date;
  revokedAt: Date | null;
}

export type NewShare = Pick<ShareRecord, 'id' | 'sessionId' | 'userId' | 'snapshot'>;

/** One implementation per database engine; every method returns a Promise so a network one fits. */
export interface SharesStore {
  insert(share: NewShare): Promise<ShareRecord>;
  /** The link unless it was revoked. */
  findActive(shareId: string): Promise<ShareRecord | undefined>;
  /** The user's live link to this session, the newest if there are several. */
  findActiveForSession(userId: string, sessionId: string): Promise<ShareRecord | undefined>;
  /** Revokes every live link of the user's session; answers how many there were. */
  revokeForSession(userId: string, sessionId: string, at: Date): Promise<number>;
}

export interface SharesServiceDeps<V extends SessionView> {
  store: SharesStore;
  /** The owner's view of the session (GET /comparison/:id); throws a 404 for anyone else. */
  getSession(userId: string, sessionId: string): V | Promise<V>;
  /**
   * Why an ended session may not be shared yet, or undefined: the engine plugs in "a blind session
   * only once revealed" here, from the flags its view carries.
   */
  refuseShare?: (session: V) => string | undefined;
}

const runningStatuses = new Set(['pending', 'in_progress']);

/** 128 random bits: unguessable, and 22 characters in a URL. */
const newShareId = () => randomBytes(16).toString('base64url');

export const sharePath = (shareId: string) => `/s/${shareId}`;

/** A whitelist, not a blacklist: a field the view gains later (user, ticket, key) stays out until named here. */
export function snapshotOf(session: SessionView): SharedSnapshot {
  return {
    prompt: session.prompt,
    system: session.system ?? null,
    temperature: session.temperature ?? null,
    maxTokens: session.maxTokens ?? null,
    status: session.status,
    errorMessage: session.errorMessage ?? null,
    responses: session.responses.map((r) => ({
      modelId: r.modelId,
      provider: r.provider,
      status: r.status,
      response: r.response,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      cost: r.cost,
      costSource: r.costSource ?? null,
      timeToFirstTokenMs: r.timeToFirstTokenMs,
      responseTimeMs: r.responseTimeMs,
      tokensPerSecond: r.tokensPerSecond ?? null,
      errorMessage: r.errorMessage,
    })),
    metrics: session.metrics ?? null,
    createdAt: session.createdAt,
  };
}

export function createSharesService<V extends SessionView>(deps: SharesServiceDeps<V>) {
  const { store } = deps;
  return {
    /**
     * One live link per session: sharing again answers the link already made (`created: false`),
     * so a second click never leaves a stray link that one revoke would not be expected to cover.
     * A session that has ended does not change, so the old snapshot is still the session.
     */
    async share(userId: string, sessionId: string) {
      const session = await deps.getSession(userId, sessionId);
      if (runningStatuses.has(session.status))
        throw new Errors.Conflict('The comparison is still running: share it once it has ended');
      const refusal = deps.refuseShare?.(session);
      if (refusal) throw new Errors.Conflict(refusal);
      const existing = await store.findActiveForSession(userId, sessionId);
      if (existing) return { created: false, shareId: existing.id, url: sharePath(existing.id) };
      const share = await store.insert({
        id: newShareId(),
        sessionId,
        userId,
        snapshot: snapshotOf(session),
      });
      return { created: true, shareId: share.id, url: sharePath(share.id) };
    },

    /** What anyone with the link reads: the snapshot and when it was shared. */
    async read(shareId: string) {
      const share = await store.findActive(shareId);
      if (!share) throw new Errors.NotFound('This shared comparison does not exist or was revoked');
      return { ...share.snapshot, sharedAt: share.createdAt.toISOString() };
    },

    async isLive(shareId: string): Promise<boolean> {
      return (await store.findActive(shareId)) !== undefined;
    },

    /** Idempotent: the user's own session answers the same whether it had a live link or not. */
    async revoke(userId: string, sessionId: string) {
      await deps.getSession(userId, sessionId);
      return { revoked: await store.revokeForSession(userId, sessionId, new Date()) };
    },
  };
}

export type SharesService = ReturnType<typeof createSharesService>;
