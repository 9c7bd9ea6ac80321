// Checkpoints a WAL-mode SQLite file from a worker thread, so the page copy and fsync never stall the event loop.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { FastifyBaseLogger } from 'fastify';

export interface WalCheckpointerOptions {
  /** How often the worker checkpoints. */
  intervalMs: number;
  /** better-sqlite3's entry file as the worker requires it; tests pass a bad one to see the fallback. */
  sqliteModulePath?: string;
  /** Where a failed worker is reported, once. */
  log?: FastifyBaseLogger;
}

export interface WalCheckpointer {
  /** Ends the worker and its connection; resolves once the thread is gone. */
  stop(): Promise<void>;
}

/**
 * The worker: its own connection to the same file and a PASSIVE checkpoint on a timer. PASSIVE
 * copies what it can without taking the write lock or waiting on readers, so the writer never
 * blocks on it. CommonJS source run with `eval`: no file of its own to locate, so it works alike
 * from src/ (tsx, vitest) and from dist/. Any error ends the thread, and the main thread falls back.
 */
const workerSource = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.sqliteModulePath);
const db = new Database(workerData.path, { fileMustExist: true });
setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.intervalMs);
`;

/** SQLite's default, restored on the main connection when the worker is gone so the WAL stays bounded. */
const AUTOCHECKPOINT_PAGES = 1000;

/**
 * Turns off the automatic checkpoint on `sqlite` (a file in WAL mode) and checkpoints from a worker
 * instead. A periodic timer rather than a signal from the writer keeps it simple: between two runs the
 * WAL grows by about what one interval writes, and the writer restarts it from the top once a run
 * has copied every frame.
 */
export function startWalCheckpointer(
  sqlite: Database.Database,
  options: WalCheckpointerOptions,
): WalCheckpointer {
  let stopping = false;
  let failed = false;
  const fallBack = (details: { err: unknown } | { exitCode: number }) => {
    if (stopping || failed) return;
    failed = true;
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    options.log?.error(details, 'WAL checkpoint worker failed; commits checkpoint on the event loop again');
  };

  sqlite.pragma('wal_autocheckpoint = 0');
  let worker: Worker;
  try {
    worker = new Worker(workerSource, {
      eval: true,
      workerData: {
        path: sqlite.name,
        sqliteModulePath:
          options.sqliteModulePath ?? createRequire(import.meta.url).resolve('better-sqlite3'),
        intervalMs: options.intervalMs,
      },
    });
  } catch (err) {
    fallBack({ err });
    return { stop: async () => {} };
  }
  // Never what keeps the process alive; close() stops it properly.
  worker.unref();
  worker.on('error', (err) => fallBack({ err }));
  worker.on('exit', (exitCode) => fallBack({ exitCode }));

  return {
    async stop() {
      stopping = true;
      // better-sqlite3 closes the worker's connection as the thread is torn down.
      await worker.terminate();
    },
  };
}
