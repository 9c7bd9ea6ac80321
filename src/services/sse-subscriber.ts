// One SSE client of a session: replays, then follows the event log, honouring backpressure.
import type { ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { SessionEventLog } from './event-log.js';
import { type EventView, ownerView } from './event-views.js';

export interface SseOptions {
  /** A `: ping` comment this often keeps proxies from closing an idle stream. */
  pingIntervalMs: number;
  /** A client this far behind while its socket is full is disconnected; it resumes with Last-Event-ID. */
  maxLagBytes: number;
  /** Most bytes handed to one write() call. */
  writeChunkBytes: number;
  /** The `retry:` hint sent to EventSource clients, in milliseconds. */
  retryMs: number;
  /** A client whose socket takes nothing for this long while we have frames for it is disconnected. */
  stallTimeoutMs: number;
}

/**
 * The subscriber keeps a cursor (the last id it wrote), not a queue: frames stay in the shared log
 * until the socket takes them, so a slow client costs one pending write at most. Frames appended
 * in the same tick (one callback and the microtasks it set off) go out in one write.
 */
export class SseSubscriber {
  private cursor: number;
  private waitingForDrain = false;
  private scheduled = false;
  private readonly ping: NodeJS.Timeout;
  private stall: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;
  private closed = false;
  private resolveDone: () => void = () => {};
  readonly done: Promise<void>;

  constructor(
    private readonly res: ServerResponse,
    private readonly log: SessionEventLog,
    afterId: number,
    private readonly opts: SseOptions,
    private readonly logger: FastifyBaseLogger,
    private readonly view: EventView = ownerView,
  ) {
    this.cursor = afterId;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    res.once('close', () => this.cleanup());
    this.unsubscribe = log.subscribe(() => this.onAppend());
    this.ping = setInterval(() => this.write(': ping\n\n'), opts.pingIntervalMs);
    // A client that left before we got here: 'close' has already fired and will not fire again.
    if (res.destroyed || !res.socket || res.socket.destroyed) {
      this.cleanup();
      return;
    }
    this.write(`retry: ${opts.retryMs}\n: connected\n\n`);
    this.schedule();
  }

  get lastWrittenId(): number {
    return this.cursor;
  }

  /** Ends the stream now: after what was already handed to the socket, nothing more. */
  close(): void {
    if (this.closed) return;
    if (this.waitingForDrain) this.drop();
    else this.res.end();
  }

  /** Destroys the socket and stops at once: 'close' comes later, and nothing may log or write meanwhile. */
  private drop(reason?: string): void {
    if (this.closed) return;
    if (reason)
      this.logger.info(
        { sessionId: this.log.sessionId, lastEventId: this.cursor },
        `${reason}; disconnecting it (it can resume with Last-Event-ID)`,
      );
    this.cleanup();
    this.res.destroy();
  }

  private onAppend(): void {
    if (this.waitingForDrain && this.log.bytesAfter(this.cursor) > this.opts.maxLagBytes) {
      this.drop('slow stream client fell too far behind');
      return;
    }
    this.schedule();
  }

  /**
   * The write waits for the end of the current tick, not of the event loop's turn: frames appended
   * in one stretch (a socket read of several upstream events, with the microtasks it set off) still
   * go out in one write, and a chunk is written as soon as its read is handled instead of after
   * every other I/O callback of the turn (setImmediate's check phase). At 50 and 200 streams that
   * wait was part of every chunk's latency.
   */
  private schedule(): void {
    if (this.closed || this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    if (this.closed || this.waitingForDrain) return;
    for (;;) {
      const next = this.log.framesAfter(this.cursor, this.opts.writeChunkBytes, this.view);
      if (!next) break;
      this.cursor = next.lastId;
      // The last frames and the end of the response: one write, not two.
      if (this.log.finishedVisible && this.cursor >= this.log.lastId) {
        this.res.end(next.text);
        return;
      }
      if (next.text.length > 0 && !this.write(next.text)) return;
    }
    if (this.log.finishedVisible && this.cursor >= this.log.lastId) this.res.end();
  }

  /** False when the socket is full: then nothing is written until 'drain', or 'close' ends it all. */
  private write(text: string): boolean {
    if (this.closed || this.waitingForDrain || this.res.writableEnded) return false;
    if (this.res.write(text)) return true;
    this.waitingForDrain = true;
    this.res.once('drain', this.onDrain);
    // A client that stopped reading is cut even when nothing new arrives (one that joined a large
    // session near its end, say): it would hold the socket and its buffers for ever.
    this.stall = setTimeout(
      () => this.drop('stream client read nothing for a long time'),
      this.opts.stallTimeoutMs,
    );
    return false;
  }

  private readonly onDrain = () => {
    this.waitingForDrain = false;
    clearTimeout(this.stall);
    this.schedule();
  };

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stall);
    this.resolveDone();
    this.res.off('drain', this.onDrain);
    this.unsubscribe();
    clearInterval(this.ping);
    // A pump already queued finds the subscriber closed and does nothing.
    this.scheduled = false;
  }
}
