// A redis-server of the test's own on a free port (never the shared one), which it can restart at will.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisAnswers } from './cluster.js';
import { freePort } from './free-port.js';

/** True when a redis-server binary is on the PATH. */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startRedisServer() {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function up(): Promise<void> {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(url))) {
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await sleep(50);
    }
  }

  async function down(): Promise<void> {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = once(c, 'exit');
    c.kill('SIGKILL');
    await exited;
  }

  await up();
  return {
    url,
    port,
    /** Kills it (nothing saved: it comes back empty) and starts it again on the same port after `pauseMs`. */
    async restart(pauseMs = 300): Promise<void> {
      await down();
      await sleep(pauseMs);
      await up();
    },
    stop: down,
  };
}

export type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;
