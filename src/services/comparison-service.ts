// Comparisons as the routes see them: start, read, list, cancel and watch, scoped to one user.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ModelResponse } from '../db/schema.js';
import { Errors } from '../errors.js';
import { catalog, defaultModels } from '../providers/catalog.js';
import type { ModelInfo, Provider } from '../providers/types.js';
import type { ResponseSummary, SessionsRepository } from '../repositories/sessions.js';
import { type CreateComparisonBody, DEFAULT_MODEL_COUNT } from '../schemas/comparison.js';
import type { ComparisonRunner, SessionRun } from './comparison-runner.js';
import { type EventLogRegistry, SessionEventLog } from './event-log.js';
import { sessionMetrics, tokensPerSecond } from './metrics.js';
import { openEventStream, type SseOptions, SseSubscriber } from './sse-subscriber.js';

export interface ModelDirectory {
  available(): ModelInfo[];
  get(modelId: string): ModelInfo | undefined;
  providerFor(model: ModelInfo): Provider;
}

export interface ComparisonServiceDeps {
  repo: SessionsRepository;
  runner: ComparisonRunner;
  logs: EventLogRegistry;
  models: ModelDirectory;
  signTicket(userId: string, sessionId: string): string;
  maxRunningPerUser: number;
  sse: SseOptions;
}

const streamPath = (id: string, ticket: string) =>
  `/comparison/${id}/stream?ticket=${encodeURIComponent(ticket)}`;

function responseView(r: ResponseSummary & { response?: string }, live?: SessionRun['models'][number]) {
  // A running model is read from memory: the database lags it by up to one write interval.
  const status = live?.status ?? r.status;
  return {
    id: r.id,
    modelId: r.modelId,
    provider: r.provider,
    response: live?.text ?? r.response ?? '',
    status,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    cost: r.cost,
    responseTimeMs: r.responseTimeMs,
    timeToFirstTokenMs:
      r.timeToFirstTokenMs ?? (live?.firstTokenAt !== undefined ? live.firstTokenAt - live.startedAt : null),
    tokensPerSecond: tokensPerSecond(r.outputTokens, r.responseTimeMs, r.timeToFirstTokenMs),
    errorMessage: r.errorMessage,
    createdAt: r.createdAt.toISOString(),
  };
}

export function createComparisonService(deps: ComparisonServiceDeps) {
  const { repo, runner, logs, models } = deps;
  const subscribers = new Set<SseSubscriber>();
  let closing = false;

  function resolveModels(modelIds: string[] | undefined): ModelInfo[] {
    const available = models.available();
    if (!modelIds) {
      if (available.length === 0)
        throw new Errors.BadRequest('No models are available on this server: no provider is configured');
      return defaultModels(available, DEFAULT_MODEL_COUNT);
    }
    return modelIds.map((id) => {
      const model = available.find((m) => m.id === id);
      if (model) return model;
      if (catalog.some((m) => m.id === id))
        throw new Errors.BadRequest(
          `Model ${id} is not available on this server (its provider is not configured)`,
        );
      throw new Errors.BadRequest(`Unknown model: ${id}`);
    });
  }

  /** The session's event log: in memory while it runs or was recently seen, else from the database. */
  function eventLogOf(sessionId: string, running: boolean): SessionEventLog {
    const inMemory = logs.get(sessionId);
    if (inMemory) return inMemory;
    const log = SessionEventLog.fromStored(sessionId, repo.eventsAfter(sessionId, 0));
    // A finished session always stored its final event; if not, replay what there is and close.
    if (!log.finished && !running) log.seal();
    logs.add(log);
    logs.retire(sessionId);
    return log;
  }

  return {
    get activeCount() {
      return runner.active;
    },

    runningFor: (userId: string) => runner.runningFor(userId),

    start(userId: string, body: CreateComparisonBody) {
      if (closing) throw new Errors.ShuttingDown();
      const chosen = resolveModels(body.modelIds);
      // Checked and started in one synchronous stretch: two requests cannot both slip under the limit.
      if (runner.runningFor(userId) >= deps.maxRunningPerUser)
        throw new Errors.TooManyRunning(deps.maxRunningPerUser);
      const sessionId = randomUUID();
      const planned = chosen.map((model) => ({ responseId: randomUUID(), model }));
      const session = repo.create({
        id: sessionId,
        userId,
        prompt: body.prompt,
        system: body.system,
        temperature: body.temperature,
        maxTokens: body.maxTokens,
        responses: planned.map(({ responseId, model }) => ({
          id: responseId,
          modelId: model.id,
          provider: model.provider,
        })),
      });
      runner.start({
        sessionId,
        userId,
        prompt: body.prompt,
        system: body.system,
        temperature: body.temperature,
        maxTokens: body.maxTokens,
        models: planned,
      });
      return {
        sessionId,
        prompt: session.prompt,
        models: chosen.map((m) => ({ id: m.id, provider: m.provider, name: m.name })),
        status: session.status,
        streamUrl: streamPath(sessionId, deps.signTicket(userId, sessionId)),
      };
    },

    get(userId: string, id: string) {
      const found = repo.findForUser(userId, id);
      if (!found) throw new Errors.NotFound('Comparison not found');
      const { session, responses } = found;
      const live = runner.get(id);
      const views = responses.map((r: ModelResponse) =>
        responseView(
          r,
          live?.models.find((m) => m.responseId === r.id),
        ),
      );
      return {
        id: session.id,
        prompt: session.prompt,
        system: session.system,
        temperature: session.temperature,
        maxTokens: session.maxTokens,
        status: session.status,
        errorMessage: session.errorMessage,
        responses: views,
        metrics: sessionMetrics(views),
        streamUrl: streamPath(session.id, deps.signTicket(userId, session.id)),
        createdAt: session.createdAt.toISOString(),
        updatedAt: session.updatedAt.toISOString(),
      };
    },

    list(userId: string, limit: number, offset: number) {
      const { total, sessions, responses } = repo.listForUser(userId, limit, offset);
      const items = sessions.map((s) => {
        const own = responses.filter((r) => r.sessionId === s.id);
        return {
          id: s.id,
          prompt: s.prompt,
          status: s.status,
          errorMessage: s.errorMessage,
          models: own.map((r) => ({ modelId: r.modelId, provider: r.provider, status: r.status })),
          metrics: sessionMetrics(own),
          createdAt: s.createdAt.toISOString(),
          updatedAt: s.updatedAt.toISOString(),
        };
      });
      return { total, items };
    },

    /** 202 either way: a finished session answers with its final status and is left as it was. */
    async cancel(userId: string, id: string) {
      const session = repo.findSessionForUser(userId, id);
      if (!session) throw new Errors.NotFound('Comparison not found');
      const run = runner.get(id);
      if (run && runner.cancel(id)) await run.settled;
      return { sessionId: id, status: repo.findSessionForUser(userId, id)?.status ?? session.status };
    },

    /** Answers 204 when `lastEventId` is already the final event; otherwise streams until the end. */
    stream(request: FastifyRequest, reply: FastifyReply, userId: string, id: string, lastEventId: number) {
      if (closing) throw new Errors.ShuttingDown();
      const session = repo.findSessionForUser(userId, id);
      if (!session) throw new Errors.NotFound('Comparison not found');
      const running = runner.get(id) !== undefined;
      if (!running && session.finalEventId !== null && lastEventId >= session.finalEventId) {
        return reply.code(204).send();
      }
      const log = eventLogOf(id, running);
      if (log.finished && lastEventId >= log.lastId) return reply.code(204).send();
      const res = openEventStream(request, reply);
      const subscriber = new SseSubscriber(res, log, lastEventId, deps.sse, request.log);
      subscribers.add(subscriber);
      void subscriber.done.then(() => subscribers.delete(subscriber));
    },

    /**
     * Shutdown, from the app's preClose hook: no new comparisons or streams; running ones get the
     * grace period, then are cancelled and stored; open streams get their final events, then end.
     */
    async close(graceMs: number): Promise<void> {
      closing = true;
      await runner.shutdown(graceMs, 'Cancelled: the server shut down');
      const open = [...subscribers];
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(open.map((s) => s.done)),
        new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
      ]);
      clearTimeout(timer);
      for (const s of subscribers) s.close();
    },
  };
}

export type ComparisonService = ReturnType<typeof createComparisonService>;
