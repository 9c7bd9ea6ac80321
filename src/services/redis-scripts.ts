// The Lua scripts of the scale-out: fenced appends, leases, admission; each runs atomically in Redis.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../plugins/redis.js';

export interface Script {
  text: string;
  sha: string;
}

const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });

/** EVALSHA, and EVAL once when Redis does not know the script yet (first use, or after a restart). */
export async function runScript<T>(
  client: RedisClient,
  s: Script,
  keys: string[],
  args: (string | number)[],
): Promise<T> {
  const argv = args.map(String);
  const tail = [String(keys.length), ...keys, ...argv];
  try {
    return await client.sendCommand<T>(['EVALSHA', s.sha, ...tail]);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return client.sendCommand<T>(['EVAL', s.text, ...tail]);
  }
}

/** Our event id as a stream id: `0-<id>`, so Redis orders entries as we do and XADD refuses a reuse. */
export const streamId = (eventId: number) => `0-${eventId}`;
export const eventIdOf = (id: string) => Number(id.slice(id.indexOf('-') + 1));

/**
 * Fenced append. KEYS: lease, stream. ARGV: token, stream ttl ms, then (id, name, data) per event.
 * Nothing is written unless the lease holds this owner's token (-1: another owner, -2: no lease).
 * Ids at or below the stream's last one are skipped, so a retry after a lost reply is harmless.
 * Returns the stream's last event id.
 */
export const appendScript = script(`
local owner = redis.call('GET', KEYS[1])
if owner == false then return -2 end
if owner ~= ARGV[1] then return -1 end
local top = 0
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #last > 0 then top = tonumber(string.match(last[1][1], '%-(%d+)$')) end
for i = 3, #ARGV, 3 do
  local id = tonumber(ARGV[i])
  if id > top then
    redis.call('XADD', KEYS[2], '0-' .. ARGV[i], 'e', ARGV[i + 1], 'd', ARGV[i + 2])
    top = id
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return top
`);

/**
 * Admission of one more running session of a user, and its lease, at once. KEYS: the user's running
 * set, the lease, the registry of running sessions. ARGV: now, expiry, limit, session id, token, ttl.
 * Members whose expiry passed (their owner stopped renewing) no longer count. 1 admitted, 0 not.
 */
export const admitScript = script(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[4])
return 1
`);

/**
 * Renews a lease. KEYS: lease, registry, the user's running set. ARGV: token, ttl, expiry, session id.
 * 1 renewed; 2 taken again because it was gone (Redis restarted, or the owner stalled and nobody
 * claimed it): the caller republishes what Redis may have lost; 0 another instance holds it.
 */
export const renewScript = script(`
local owner = redis.call('GET', KEYS[1])
if owner ~= false and owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if owner == false then return 2 end
return 1
`);

/**
 * The end of a session's run. KEYS: lease, registry, the user's running set, stream. ARGV: token,
 * session id, how long the stream stays for readers still catching up (the store has it all).
 */
export const releaseScript = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return 1
`);

/** Rate limit counter (as @fastify/rate-limit's own Redis store). KEYS: counter. ARGV: window ms. */
export const rateLimitScript = script(`
local current = redis.call('INCR', KEYS[1])
local ttl
if current == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
else
  ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
  end
end
return {current, ttl}
`);
