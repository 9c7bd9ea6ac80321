// Several app instances in one process sharing one SQLite file and one Redis (a key prefix of their own).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import type { SessionsOptions } from '../../src/plugins/sessions.js';
import { type Stack, startStack } from './comparison-stack.js';
import { type ProviderServer, startProviderServer } from './provider-server.js';

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** True when a Redis answers at `url` (tests that need one skip with a message otherwise). */
export async function redisAnswers(url = SHARED_REDIS_URL): Promise<boolean> {
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 1000 } });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 }))
      if (keys.length > 0) await client.del(keys);
  } finally {
    client.destroy();
  }
}

/**
 * Shorter timings than production, yet a lease long enough that a loaded test machine never lets a
 * live owner's lease lapse (the in-process tests kill no owner; the failover tests use the defaults).
 */
export const fastShared: SessionsOptions['shared'] = {
  leaseTtlMs: 5000,
  renewMs: 1000,
  sweepMs: 1000,
  finishedStreamTtlMs: 5000,
  retryMs: 100,
};

export interface ClusterOptions {
  redisUrl?: string;
  env?: Record<string, string | undefined>;
  sessions?: Partial<SessionsOptions>;
  providerServer?: ProviderServer;
}

export async function startCluster(count: number, options: ClusterOptions = {}) {
  const redisUrl = options.redisUrl ?? SHARED_REDIS_URL;
  const prefix = `test:${randomUUID().slice(0, 8)}:`;
  const dir = mkdtempSync(join(tmpdir(), 'playground-cluster-'));
  const databasePath = join(dir, 'db.sqlite');
  const providerServer = options.providerServer ?? (await startProviderServer());
  const start = () =>
    startStack({
      providerServer,
      env: { DATABASE_PATH: databasePath, REDIS_URL: redisUrl, MAX_RUNNING_PER_USER: '20', ...options.env },
      sessions: { shared: fastShared, ...options.sessions },
      redis: { keyPrefix: prefix, blockMs: 1000, commandTimeoutMs: 2000 },
    });
  const stacks: Stack[] = [];
  // One after the other: each runs the migrations and start-up recovery on the shared file.
  for (let i = 0; i < count; i++) stacks.push(await start());
  return {
    stacks,
    prefix,
    databasePath,
    providerServer,
    redisUrl,
    /** Another instance on the same database and Redis (start-up recovery runs as it starts). */
    async add(): Promise<Stack> {
      const s = await start();
      stacks.push(s);
      return s;
    },
    async close() {
      for (const s of stacks) await s.app.close().catch(() => {});
      await providerServer.close();
      await deleteKeys(redisUrl, prefix).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;
