// Which instance runs a session, as Postgres advisory locks held on one connection: they end when the instance does.
import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';

/**
 * The two-key advisory lock space (apart from the one-key space the budget and migration locks use):
 * this number, then hashtext(session id).
 */
const SESSION_LOCKS = 1_919_251_317;

export interface SessionLocks {
  /** Marks the session as run by this instance; false when another live instance holds it. */
  claim(sessionId: string): Promise<boolean>;
  /** The session ended here: another instance's recovery may take it from now on (it will not need to). */
  release(sessionId: string): Promise<void>;
  /** Whether this instance holds the session. */
  holds(sessionId: string): boolean;
  /** Releases everything by returning the connection to the pool (before the pool ends). */
  close(): Promise<void>;
}

/**
 * Session-level advisory locks on one connection taken from the pool for the instance's lifetime:
 * when the process dies, Postgres drops the connection and with it every lock, so another
 * instance's recovery can tell a dead instance's sessions (lock free) from a live one's (held).
 * If the connection itself breaks, a new one claims again every session still held here.
 */
export function createSessionLocks(pool: pg.Pool, log?: FastifyBaseLogger): SessionLocks {
  const held = new Set<string>();
  let connection: Promise<pg.PoolClient> | undefined;
  let closed = false;
  /**
   * A broken connection can report more than one error (the server's termination notice, then the
   * socket's end), and one may come after close() gave it back: pg-pool throws, uncaught, on a
   * second release, so each client is released once.
   */
  const released = new WeakSet<pg.PoolClient>();
  const releaseOnce = (client: pg.PoolClient, err: Error | boolean) => {
    if (released.has(client)) return;
    released.add(client);
    client.release(err);
  };

  function connect(): Promise<pg.PoolClient> {
    if (connection) return connection;
    const opening = pool.connect().then((client) => {
      client.on('error', (err) => {
        if (released.has(client)) return;
        log?.warn({ err }, 'the connection holding the running sessions’ locks broke; reclaiming them');
        if (connection === opening) connection = undefined;
        releaseOnce(client, err);
        if (!closed) void reclaim();
      });
      return client;
    });
    connection = opening;
    opening.catch(() => {
      if (connection === opening) connection = undefined;
    });
    return opening;
  }

  async function tryLock(sessionId: string): Promise<boolean> {
    const client = await connect();
    const result = await client.query<{ locked: boolean }>(
      'select pg_try_advisory_lock($1, hashtext($2)) as locked',
      [SESSION_LOCKS, sessionId],
    );
    return result.rows[0]?.locked === true;
  }

  async function reclaim() {
    try {
      for (const sessionId of held) await tryLock(sessionId);
    } catch (err) {
      log?.warn({ err }, 'could not reclaim the running sessions’ locks');
    }
  }

  return {
    async claim(sessionId) {
      if (held.has(sessionId)) return true;
      const locked = await tryLock(sessionId);
      if (locked) held.add(sessionId);
      return locked;
    },

    async release(sessionId) {
      if (!held.delete(sessionId)) return;
      try {
        const client = await connect();
        await client.query('select pg_advisory_unlock($1, hashtext($2))', [SESSION_LOCKS, sessionId]);
      } catch (err) {
        // Not fatal: the lock ends with the connection at the latest, and the session has ended anyway.
        log?.warn({ err, sessionId }, 'could not release a session lock');
      }
    },

    holds: (sessionId) => held.has(sessionId),

    async close() {
      closed = true;
      held.clear();
      const open = connection;
      connection = undefined;
      const client = await open?.catch(() => undefined);
      // Destroyed rather than returned: a pooled connection must not carry locks to its next user.
      if (client) releaseOnce(client, true);
    },
  };
}
