// Comparisons as the routes see them: start, read, list, cancel and watch, scoped to one user.
import { randomUUID } from 'node:crypto';
import { Errors } from '../errors.js';
import type { TokenCounter } from '../providers/token-count.js';
import type { ChatMessage, ModelInfo } from '../providers/types.js';
import type { NewSession, SessionStore, StoredSession } from '../repositories/types.js';
import type { CreateComparisonBody } from '../schemas/comparison.js';
import { blindView, drawTwo, isHidden, shuffled, slotOf } from './blind.js';
import type { BudgetStore } from './budget.js';
import { type ComparisonEvent, ownerData } from './comparison-events.js';
import type { ComparisonRunner } from './comparison-runner.js';
import { estimateComparison } from './estimate.js';
import { type EventLogRegistry, SessionEventLog } from './event-log.js';
import { type EventView, ownerView } from './event-views.js';
import { launchTurns } from './launch-turns.js';
import { sessionMetrics } from './metrics.js';
import { type ModelDirectory, resolveModels } from './model-choice.js';
import { hiddenResponse, responseView, summaryView } from './session-views.js';
import type { SharedSessions } from './shared-sessions.js';

export interface ComparisonServiceDeps {
  store: SessionStore;
  runner: ComparisonRunner;
  logs: EventLogRegistry;
  models: ModelDirectory;
  signTicket(userId: string, sessionId: string): string;
  maxRunningPerUser: number;
  /** The spending ledger: each model's most it can cost is reserved before anything starts. */
  budgets?: BudgetStore;
  tokens?: TokenCounter;
  /** Several instances (REDIS_URL): limits, streams and cancels across them. */
  shared?: SharedSessions;
  /** How long a cancel sent to another instance is waited for before the answer (202 either way). */
  remoteCancelWaitMs?: number;
}

/** What a stream request gets: nothing more to send (204), or a log to follow through a view. */
export type StreamTarget = { kind: 'ended' } | { kind: 'stream'; log: SessionEventLog; view: EventView };

/** Why comparisons a shutdown stops end: the runner's cancel reason and an unstarted session's. */
export const SHUTDOWN_REASON = 'Cancelled: the server shut down';

const isUnfinished = (status: string) => status === 'pending' || status === 'in_progress';

const streamPath = (id: string, ticket: string) =>
  `/comparison/${id}/stream?ticket=${encodeURIComponent(ticket)}`;

/** The conversation a first turn sends: the system prompt, then the prompt. */
export function firstTurnMessages(prompt: string, system?: string): ChatMessage[] {
  return [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    { role: 'user', content: prompt },
  ];
}

export function createComparisonService(deps: ComparisonServiceDeps) {
  const { store, runner, logs, models } = deps;
  let closing = false;
  const turn = launchTurns();

  /** The session's event log: in memory while it runs or was recently seen, else from the store. */
  async function eventLogOf(sessionId: string, running: boolean, remote = false): Promise<SessionEventLog> {
    const inMemory = logs.get(sessionId);
    if (inMemory) return inMemory;
    const stored = await store.eventsAfter(sessionId, 0);
    if (remote && deps.shared) {
      // Another instance runs it: the store's events, then its Redis stream, then live.
      const mirror = await deps.shared.mirror(sessionId, stored);
      const raced = logs.get(sessionId);
      if (raced) return raced;
      logs.add(mirror);
      if (mirror.finished) logs.retire(sessionId);
      return mirror;
    }
    const log = SessionEventLog.fromStored(sessionId, stored);
    // Read meanwhile by a concurrent request: share one copy.
    const raced = logs.get(sessionId);
    if (raced) return raced;
    // A finished session always stored its final event; if not, replay what there is and close.
    if (!log.finished && !running) log.seal();
    logs.add(log);
    logs.retire(sessionId);
    return log;
  }

  /**
   * Reserves each model's most it can cost, atomically, and stores the session: a 402 (and nothing
   * stored or started) when it does not fit. Where the engine is synchronous (SQLite) both are one
   * transaction, one commit per comparison's set-up instead of two.
   */
  async function storeBudgeted(
    userId: string,
    planned: { responseId: string; model: ModelInfo; messages: ChatMessage[] }[],
    maxTokens: number | undefined,
    session: NewSession,
  ): Promise<StoredSession> {
    const { budgets, tokens } = deps;
    if (!budgets || !tokens) return store.create(session);
    // One estimate per conversation, not per model: the models of a first turn share one messages
    // array, and counting its tokens (about 0.4 ms for a 22,000-character prompt) once is enough.
    const byMessages = new Map<readonly ChatMessage[], typeof planned>();
    for (const p of planned) {
      const group = byMessages.get(p.messages);
      if (group) group.push(p);
      else byMessages.set(p.messages, [p]);
    }
    const maxCosts = new Map<string, number | null>();
    for (const [messages, group] of byMessages) {
      const estimate = estimateComparison(
        group.map((p) => p.model),
        messages,
        maxTokens,
        tokens,
      );
      group.forEach((p, i) => {
        maxCosts.set(p.responseId, estimate.models[i]?.maxCost ?? null);
      });
    }
    const items = planned.map(({ responseId, model }) => ({
      responseId,
      modelId: model.id,
      maxCost: maxCosts.get(responseId) ?? null,
    }));
    const createSync = store.createSync;
    if (budgets.reserveWithin && createSync)
      return budgets.reserveWithin(userId, items, new Date(), () => createSync(session));
    await budgets.reserve(userId, items, new Date());
    return store.create(session);
  }

  /**
   * A session stored while shutdown began is never started: it is stored as cancelled, so that it
   * does not show as running in its owner's history (an asynchronous store makes this gap real).
   */
  async function endUnstarted(sessionId: string, planned: { responseId: string }[]) {
    const event: ComparisonEvent = {
      type: 'comparison_error',
      error: 'cancelled',
      status: 'cancelled',
      errorMessage: SHUTDOWN_REASON,
      timestamp: new Date().toISOString(),
    };
    try {
      await store.persist([
        {
          sessionId,
          events: [{ id: 1, event: event.type, data: ownerData(sessionId, event) }],
          responses: planned.map((p) => ({
            id: p.responseId,
            appendText: '',
            appendReasoning: '',
            status: 'cancelled' as const,
          })),
          final: { status: 'cancelled', errorMessage: SHUTDOWN_REASON, finalEventId: 1 },
        },
      ]);
    } catch {
      // The store is closing too: the next start's recovery ends the session instead.
    }
  }

  /**
   * Stores and starts one session. The running limit is counted synchronously before the first
   * await (runner.admit), so concurrent requests of one user cannot both slip under it.
   */
  async function launch(
    userId: string,
    body: Omit<CreateComparisonBody, 'modelIds'>,
    chosen: { model: ModelInfo; messages: ChatMessage[]; position?: number }[],
    extra: { parentId?: string; rootId?: string; turn?: number; blind?: boolean } = {},
  ) {
    if (closing) throw new Errors.ShuttingDown();
    const release = runner.admit(userId, deps.maxRunningPerUser);
    if (!release) throw new Errors.TooManyRunning(deps.maxRunningPerUser);
    const sessionId = randomUUID();
    let counted = false;
    let started = false;
    try {
      // Counted above before any await (the running limit); started a few per turn of the loop.
      await turn();
      if (closing) throw new Errors.ShuttingDown();
      // Across instances the same count is one atomic step in Redis, which also takes the lease.
      if (deps.shared) {
        counted = await deps.shared.admit(userId, sessionId, deps.maxRunningPerUser);
        if (!counted) throw new Errors.TooManyRunning(deps.maxRunningPerUser);
      }
      const planned = chosen.map((c) => ({ responseId: randomUUID(), ...c }));
      const session = await storeBudgeted(userId, planned, body.maxTokens, {
        id: sessionId,
        userId,
        prompt: body.prompt,
        system: body.system,
        temperature: body.temperature,
        maxTokens: body.maxTokens,
        ...extra,
        responses: planned.map(({ responseId, model, position }, i) => ({
          id: responseId,
          modelId: model.id,
          provider: model.provider,
          position: position ?? i,
        })),
      });
      if (closing) {
        await endUnstarted(sessionId, planned);
        throw new Errors.ShuttingDown();
      }
      runner.start({
        sessionId,
        userId,
        temperature: body.temperature,
        maxTokens: body.maxTokens,
        blind: extra.blind === true,
        models: planned,
      });
      started = true;
      return {
        sessionId,
        prompt: session.prompt,
        models: extra.blind
          ? planned.map(({ position }, i) => {
              const slot = slotOf(position ?? i);
              return { id: slot, provider: null, name: `Model ${slot}` };
            })
          : chosen.map(({ model: m }) => ({ id: m.id, provider: m.provider, name: m.name })),
        status: session.status,
        streamUrl: streamPath(sessionId, deps.signTicket(userId, sessionId)),
        parentId: session.parentId,
        turn: session.turn,
      };
    } finally {
      release();
      if (counted && !started) void deps.shared?.release(sessionId);
    }
  }

  /** Polls the store until the session ended there, for at most remoteCancelWaitMs. */
  async function awaitEnd(userId: string, id: string): Promise<void> {
    const deadline = Date.now() + (deps.remoteCancelWaitMs ?? 5000);
    while (Date.now() < deadline) {
      const now = await store.findSessionForUser(userId, id);
      if (!now || !isUnfinished(now.status)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    get activeCount() {
      return runner.active;
    },

    runningFor: (userId: string) => runner.runningFor(userId),

    async start(userId: string, body: CreateComparisonBody) {
      const messages = firstTurnMessages(body.prompt, body.system);
      if (body.blind) {
        const available = models.available();
        if (body.modelIds && body.modelIds.length < 2)
          throw new Errors.BadRequest('A blind comparison needs at least two models');
        if (!body.modelIds && available.length < 2)
          throw new Errors.ModelUnavailable('A blind comparison needs two models; fewer are available here');
        // The slots: a shuffle of the named models, or two different ones drawn at random.
        const chosen = body.modelIds ? shuffled(resolveModels(models, body.modelIds)) : drawTwo(available);
        return launch(
          userId,
          body,
          chosen.map((model) => ({ model, messages })),
          { blind: true },
        );
      }
      const chosen = resolveModels(models, body.modelIds);
      return launch(
        userId,
        body,
        chosen.map((model) => ({ model, messages })),
      );
    },

    launch,

    async get(userId: string, id: string) {
      const found = await store.findForUser(userId, id);
      if (!found) throw new Errors.NotFound('Comparison not found');
      const { session, responses } = found;
      const live = runner.get(id);
      const views = responses.map((r) =>
        responseView(
          r,
          live?.models.find((m) => m.responseId === r.id),
        ),
      );
      const hidden = isHidden(session);
      const thread = await store.thread(userId, session.rootId ?? session.id);
      return {
        id: session.id,
        prompt: session.prompt,
        system: session.system,
        temperature: session.temperature,
        maxTokens: session.maxTokens,
        status: session.status,
        errorMessage: session.errorMessage,
        responses: hidden ? views.map((v, i) => hiddenResponse(v, responses[i]?.position ?? i)) : views,
        metrics: hidden ? null : sessionMetrics(views),
        blind: session.blind,
        revealed: session.revealedAt !== null,
        streamUrl: streamPath(session.id, deps.signTicket(userId, session.id)),
        parentId: session.parentId,
        turn: session.turn,
        thread: thread.map((s) => ({ id: s.id, prompt: s.prompt, turn: s.turn, status: s.status })),
        createdAt: session.createdAt.toISOString(),
        updatedAt: session.updatedAt.toISOString(),
      };
    },

    async list(userId: string, limit: number, offset: number) {
      const { total, sessions, responses } = await store.listForUser(userId, limit, offset);
      return { total, items: sessions.map((s) => summaryView(s, responses)) };
    },

    /** 202 either way: a finished session answers with its final status and is left as it was. */
    async cancel(userId: string, id: string) {
      const session = await store.findSessionForUser(userId, id);
      if (!session) throw new Errors.NotFound('Comparison not found');
      const run = runner.get(id);
      if (run && runner.cancel(id)) await run.log.finalStored;
      else if (!run && deps.shared && isUnfinished(session.status)) {
        // The owner is another instance: it cancels at once; the answer waits a little for the outcome.
        if (await deps.shared.cancelRemote(id, 'Cancelled by the user')) await awaitEnd(userId, id);
      }
      const after = await store.findSessionForUser(userId, id);
      return { sessionId: id, status: after?.status ?? session.status };
    },

    /** What a stream request gets: `ended` when `lastEventId` is already the final event. */
    async streamTarget(userId: string, id: string, lastEventId: number): Promise<StreamTarget> {
      if (closing) throw new Errors.ShuttingDown();
      const run = runner.get(id);
      const ended = (log: SessionEventLog) => log.finishedVisible && lastEventId >= log.lastId;
      // Running here, the owner's and not blind (the usual stream request, just after its POST): the
      // runner knows all the store would say, and its log is the one to follow.
      if (run && run.request.userId === userId && !run.request.blind)
        return ended(run.log) ? { kind: 'ended' } : { kind: 'stream', log: run.log, view: ownerView };
      const session = await store.findSessionForUser(userId, id);
      if (!session) throw new Errors.NotFound('Comparison not found');
      // Asked again after the store's answer: on Postgres the run may have ended meanwhile.
      const running = runner.get(id) !== undefined;
      if (!running && session.finalEventId !== null && lastEventId >= session.finalEventId)
        return { kind: 'ended' };
      const log = await eventLogOf(id, running, !running && isUnfinished(session.status));
      if (ended(log)) return { kind: 'ended' };
      if (!isHidden(session)) return { kind: 'stream', log, view: ownerView };
      const found = await store.findForUser(userId, id);
      return { kind: 'stream', log, view: blindView(id, found?.responses ?? []) };
    },

    /** Cancels every running comparison now (a second shutdown signal); they end and are stored as usual. */
    cancelAll: (reason: string) => runner.shutdown(0, reason),

    /** No new comparisons or streams from now on (shutdown has begun). */
    stopAccepting(): void {
      closing = true;
    },

    get accepting() {
      return !closing;
    },
  };
}

export type ComparisonService = ReturnType<typeof createComparisonService>;
