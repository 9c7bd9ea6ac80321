// Starts a benchmark child (server, provider, bare SSE) with an IPC channel, and talks to it.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeReply, ProbeStats, ReadyMessage } from './child-probe.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ChildOptions {
  /** For messages and the log file's name. */
  name: string;
  /** Relative to the package root (or `root`), run through tsx. */
  entry: string;
  /** Another checkout to run the entry from (it needs its own node_modules); this one by default. */
  root?: string;
  env: Record<string, string>;
  /** Node flags before the entry: --expose-gc, --cpu-prof, ... */
  nodeFlags?: string[];
  /** stdout and stderr of the child go here. */
  logFile: string;
}

export interface BenchChild {
  name: string;
  url: string;
  pid: number;
  request<T = unknown>(type: string, arg?: unknown, timeoutMs?: number): Promise<T>;
  stats(): Promise<ProbeStats>;
  reset(): Promise<void>;
  gc(): Promise<void>;
  /** Asks the child to close and exit; kills it (this child only) if it does not within the timeout. */
  close(timeoutMs?: number): Promise<void>;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startChild(opts: ChildOptions): Promise<BenchChild> {
  const log = openSync(opts.logFile, 'w');
  const child: ChildProcess = spawn(
    process.execPath,
    [...(opts.nodeFlags ?? []), '--import', 'tsx', opts.entry],
    {
      cwd: opts.root ?? root,
      env: { PATH: process.env.PATH ?? '', ...opts.env },
      stdio: ['ignore', log, log, 'ipc'],
    },
  );
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.name}: not ready within 60 s`)), 60_000);
    child.on('message', (message: ReadyMessage | ProbeReply) => {
      if ('type' in message && message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.url);
        return;
      }
      if (!('id' in message)) return;
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(`${opts.name}: ${message.error}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited (${code}) before it was ready:\n${tail(opts.logFile)}`));
    });
  });
  void exited.then((code) => {
    for (const waiter of pending.values())
      waiter.reject(new Error(`${opts.name} exited (${code}):\n${tail(opts.logFile)}`));
    pending.clear();
  });

  const request = <T>(type: string, arg?: unknown, timeoutMs = 30_000) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${opts.name}: no answer to ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ id, type, arg });
    });

  return {
    name: opts.name,
    url,
    pid: child.pid ?? -1,
    request,
    stats: () => request<ProbeStats>('stats'),
    reset: async () => void (await request('reset')),
    gc: async () => void (await request('gc')),
    async close(timeoutMs = 20_000) {
      if (child.exitCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await request('close', undefined, timeoutMs).catch(() => child.kill('SIGKILL'));
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The loopback provider child (bench/provider-entry.ts), its log in `work`. */
export function startProvider(work: string): Promise<BenchChild> {
  return startChild({
    name: 'provider',
    entry: 'bench/provider-entry.ts',
    env: {},
    logFile: join(work, 'provider.log'),
  });
}
