// Batched persistence of running sessions: text and events as they stream, one transaction per flush.
import type { FastifyBaseLogger } from 'fastify';
import type { ResponseProgress, SessionProgress, SessionsRepository } from '../repositories/sessions.js';
import { type SessionRun, sessionOutcome } from './comparison-runner.js';

const TERMINAL = new Set(['completed', 'error', 'cancelled']);

/** What changed in a run since its last write; undefined when nothing did. */
function progressOf(run: SessionRun): SessionProgress | undefined {
  const events = run.log.events
    .slice(run.persisted.events)
    .map(({ id, event, data }) => ({ id, event, data }));
  const responses: ResponseProgress[] = [];
  for (const m of run.models) {
    const appendText = m.text.slice(m.persisted.textLength);
    const statusChanged = m.status !== m.persisted.status;
    if (appendText.length === 0 && !statusChanged) continue;
    const r: ResponseProgress = { id: m.responseId, appendText };
    if (statusChanged) {
      r.status = m.status;
      r.timeToFirstTokenMs = m.firstTokenAt === undefined ? null : m.firstTokenAt - m.startedAt;
      if (TERMINAL.has(m.status) && m.metrics) {
        r.final = {
          inputTokens: m.metrics.inputTokens,
          outputTokens: m.metrics.outputTokens,
          cachedInputTokens: m.metrics.cachedInputTokens,
          cost: m.metrics.cost,
          responseTimeMs: m.metrics.responseTimeMs,
          errorMessage: m.errorMessage ?? null,
        };
      }
    }
    responses.push(r);
  }
  const final =
    run.ended && !run.persisted.final ? { ...sessionOutcome(run), finalEventId: run.log.lastId } : undefined;
  if (events.length === 0 && responses.length === 0 && !final) return undefined;
  return { sessionId: run.request.sessionId, events, responses, final };
}

function markPersisted(run: SessionRun): void {
  run.persisted.events = run.log.events.length;
  for (const m of run.models) m.persisted = { textLength: m.text.length, status: m.status };
  if (run.ended) run.persisted.final = true;
}

/**
 * better-sqlite3 blocks the event loop while it writes, so chunks never write one by one: a run
 * is marked dirty and every dirty run is written together at most `intervalMs` later. Endings
 * (a model's, a session's) write at once, so a client that saw one can read it back.
 */
export class ProgressWriter {
  private readonly dirty = new Set<SessionRun>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: SessionsRepository,
    private readonly intervalMs: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  markDirty(run: SessionRun): void {
    this.dirty.add(run);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flushNow(run: SessionRun): void {
    this.dirty.add(run);
    this.flush();
  }

  /** Writes every dirty run in one transaction; on failure keeps them dirty and tries again later. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty.size === 0) return;
    const runs = [...this.dirty];
    const batch: SessionProgress[] = [];
    for (const run of runs) {
      const progress = progressOf(run);
      if (progress) batch.push(progress);
    }
    try {
      this.repo.persist(batch);
    } catch (err) {
      this.log.error({ err, sessions: batch.length }, 'saving comparison progress failed; will retry');
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
      return;
    }
    for (const run of runs) {
      markPersisted(run);
      this.dirty.delete(run);
    }
  }

  close(): void {
    this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
