// Inside a benchmarked child: answers the parent's IPC requests for RSS, CPU time and event-loop delay.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeStats {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  /** Highest RSS sampled (every 250 ms) since the last reset. */
  peakRssBytes: number;
  /** The kernel's high-water mark of RSS over the process's whole life. */
  maxRssBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  wallMs: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number; mean: number };
}

export interface ProbeRequest {
  id: number;
  type: string;
  arg?: unknown;
}

export interface ProbeReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** The message a child sends once it listens. */
export interface ReadyMessage {
  type: 'ready';
  url: string;
}

const gc = (globalThis as { gc?: () => void }).gc;

export interface ProbeOptions {
  /** monitorEventLoopDelay's sampling resolution. */
  resolutionMs: number;
  /** Extra requests this child answers (close, reset of its own state, ...). */
  handlers: Record<string, (arg: unknown) => unknown>;
}

/** Starts answering `stats`, `reset` and `gc` (plus the child's own handlers) over the IPC channel. */
export function startProbe(opts: ProbeOptions): void {
  const histogram = monitorEventLoopDelay({ resolution: opts.resolutionMs });
  histogram.enable();
  let cpu = process.cpuUsage();
  let since = performance.now();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 250);
  sampler.unref();

  const stats = (): ProbeStats => {
    const used = process.cpuUsage(cpu);
    const memory = process.memoryUsage();
    peak = Math.max(peak, memory.rss);
    const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    return {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external,
      peakRssBytes: peak,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      cpuUserMs: used.user / 1000,
      cpuSystemMs: used.system / 1000,
      wallMs: performance.now() - since,
      eventLoopDelayMs: {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
        mean: ms(histogram.mean),
      },
    };
  };

  const handlers: Record<string, (arg: unknown) => unknown> = {
    stats,
    reset() {
      histogram.reset();
      cpu = process.cpuUsage();
      since = performance.now();
      peak = process.memoryUsage.rss();
      return true;
    },
    /** Full collections until the heap stops shrinking, so RSS readings compare like with like. */
    async gc() {
      if (!gc) return false;
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      return true;
    },
    ...opts.handlers,
  };

  process.on('message', (message: ProbeRequest) => {
    const handler = handlers[message.type];
    const reply = (r: Omit<ProbeReply, 'id'>) => process.send?.({ id: message.id, ...r });
    if (!handler) return reply({ ok: false, error: `unknown request ${message.type}` });
    Promise.resolve()
      .then(() => handler(message.arg))
      .then(
        (value) => reply({ ok: true, value }),
        (err: unknown) => reply({ ok: false, error: String(err) }),
      );
  });
  // The parent went away (a crash, Ctrl-C): do not linger.
  process.on('disconnect', () => process.exit(0));
}

export function announceReady(url: string): void {
  const message: ReadyMessage = { type: 'ready', url };
  process.send?.(message);
}
