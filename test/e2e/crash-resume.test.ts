// kill -9 while comparisons stream, restart on the same database: resumes bring the endings, ids never change meaning.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/process.js';
import { openSse, type SseEvent } from '../support/sse-client.js';
import { signHs256 } from '../support/tokens.js';

const SECRET = 'e2e-crash-secret-0123456789abcdef012345';
const dir = mkdtempSync(join(tmpdir(), 'playground-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (dbPath: string) => ({
  DATABASE_PATH: dbPath,
  JWT_SECRET: SECRET,
  DEMO_MODELS: 'true',
  MAX_RUNNING_PER_USER: '20',
  LOG_LEVEL: 'info',
});

describe('a crash while comparisons stream', () => {
  it('a client resuming from the last id it saw gets the endings, and no id names two events', async () => {
    const dbPath = join(dir, 'db.sqlite');
    const first = startServerProcess(env(dbPath));
    const url = await first.url;
    const token = signHs256({ sub: 'crash-user' }, SECRET);
    const sessions: { id: string; streamUrl: string; seen: SseEvent[] }[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${url}/comparison`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          prompt: `Tell me a long story number ${i}`,
          modelIds: ['demo-slow', 'demo-fast'],
        }),
      });
      expect(r.status).toBe(201);
      const { sessionId, streamUrl } = (await r.json()) as { sessionId: string; streamUrl: string };
      const client = openSse(new URL(streamUrl, url).href);
      sessions.push({ id: sessionId, streamUrl, seen: client.events });
    }
    // Let every stream show some chunks, then kill the process with no chance to write.
    const start = Date.now();
    while (sessions.some((s) => s.seen.filter((e) => e.event === 'model_chunk').length < 3)) {
      if (Date.now() - start > 15_000) throw new Error('the streams did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const seenBefore = sessions.map((s) => [...s.seen]);

    const second = startServerProcess(env(dbPath));
    const url2 = await second.url;
    try {
      for (const [i, s] of sessions.entries()) {
        const seen = seenBefore[i] as SseEvent[];
        const lastSeen = seen.at(-1)?.id as string;
        const resumed = openSse(new URL(s.streamUrl, url2).href, { 'last-event-id': lastSeen });
        expect(await resumed.status).toBe(200);
        const { ended } = await resumed.done;
        expect(ended).toBe(true);
        // The endings come: the session failed, every model that had not ended says why.
        expect(resumed.events.at(-1)).toMatchObject({ event: 'comparison_error' });
        expect(resumed.events.every((e) => Number(e.id) > Number(lastSeen))).toBe(true);
        // The whole replay: every id the client saw names the event it saw, or nothing at all.
        const replay = openSse(new URL(s.streamUrl, url2).href);
        await replay.done;
        const byId = new Map(replay.events.map((e) => [e.id, e]));
        for (const e of seen) {
          const now = byId.get(e.id);
          if (now) expect({ event: now.event, data: now.data }).toEqual({ event: e.event, data: e.data });
        }
        // And the stored answer equals the replayed chunks.
        const g = await fetch(`${url2}/comparison/${s.id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await g.json()) as {
          status: string;
          responses: { modelId: string; response: string }[];
        };
        expect(body.status).toBe('failed');
        for (const r of body.responses) {
          const joined = replay.events
            .filter((e) => e.event === 'model_chunk' && (e.data as { modelId: string }).modelId === r.modelId)
            .map((e) => (e.data as { chunk: string }).chunk)
            .join('');
          expect(joined).toBe(r.response);
        }
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 60_000);
});
