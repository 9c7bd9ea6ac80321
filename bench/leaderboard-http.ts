// GET /leaderboard end to end over 100,000 stored votes: npx tsx bench/leaderboard-http.ts [votes] [models]
// The real app on a temporary SQLite file, votes stored in its tables, the board read over HTTP with a
// signed token: cold (the fit computed), warm (the cached fit), and cold again after one more vote.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { comparisonSessions, users, votes } from '../src/db/schema.js';
import { aggregateKinds, leaderboardFromTable } from '../src/services/judging/leaderboard.js';
import { mulberry32 } from '../src/services/judging/random.js';
import { signToken } from './token.js';

const VOTES = Number(process.argv[2] ?? 100_000);
const MODELS = Number(process.argv[3] ?? 20);
const USERS = 50;
const SECRET = 'bench-leaderboard-secret-at-least-32-characters';

const dir = mkdtempSync(join(tmpdir(), 'leaderboard-bench-'));
const app = await buildApp(
  loadConfig({
    DATABASE_PATH: join(dir, 'bench.sqlite'),
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    DEMO_MODELS: 'true',
    RATE_LIMIT_MAX: '1000000',
  }),
);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('no TCP address');
const base = `http://127.0.0.1:${address.port}`;

/** Votes drawn from a known order of strengths: 80% two-way, 15% three-way, 5% four-way sessions. */
function seed() {
  const uniform = mulberry32(7);
  const ids = Array.from({ length: MODELS }, (_, i) => `model-${String(i).padStart(2, '0')}`);
  const strength = ids.map((_, i) => (i - MODELS / 2) * 0.12);
  const now = Date.now() - VOTES * 1000;
  const t0 = performance.now();
  app.db.transaction((tx) => {
    tx.insert(users)
      .values(Array.from({ length: USERS }, (_, u) => ({ id: `user-${u}`, email: null, name: `User ${u}` })))
      .run();
    for (let start = 0; start < VOTES; start += 500) {
      const sessionRows = [];
      const voteRows = [];
      for (let v = start; v < Math.min(VOTES, start + 500); v++) {
        const size = ((r) => (r < 0.8 ? 2 : r < 0.95 ? 3 : 4))(uniform());
        const picked: number[] = [];
        while (picked.length < size) {
          const m = Math.floor(uniform() * MODELS);
          if (!picked.includes(m)) picked.push(m);
        }
        const outcome = uniform();
        let choice = outcome < 0.1 ? 'tie' : outcome < 0.15 ? 'all_bad' : '';
        if (!choice) {
          const weights = picked.map((m) => Math.exp(strength[m] ?? 0));
          let u = uniform() * weights.reduce((s, w) => s + w, 0);
          let k = 0;
          while (k < picked.length - 1 && u > (weights[k] ?? 0)) u -= weights[k++] ?? 0;
          choice = ids[picked[k] ?? 0] ?? 'tie';
        }
        const userId = `user-${v % USERS}`;
        const at = new Date(now + v * 1000);
        const models = picked.map((m) => ids[m] ?? '');
        const blind = v % 2 === 0;
        sessionRows.push({
          id: `s${v}`,
          userId,
          prompt: `prompt ${v}`,
          status: 'completed' as const,
          blind,
          revealedAt: blind ? at : null,
          createdAt: at,
          updatedAt: at,
          completedAt: at,
        });
        voteRows.push({
          id: `v${v}`,
          userId,
          sessionId: `s${v}`,
          choice,
          reason: null,
          blind,
          allCompleted: true,
          secondsToVote: 3,
          models,
          positions: models.map((modelId, i) => ({ slot: String.fromCharCode(65 + i), modelId })),
          leaked: false,
          createdAt: at,
        });
      }
      tx.insert(comparisonSessions).values(sessionRows).run();
      tx.insert(votes).values(voteRows).run();
    }
  });
  return performance.now() - t0;
}

const seedMs = seed();
const tokenOf = (u: number) => signToken(SECRET, `user-${u}`);

async function timed(path: string, user = 0) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokenOf(user)}` } });
  const body = (await res.json()) as { models?: { modelId: string }[]; totalVotes?: number };
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return { ms, cpuMs, models: body.models?.length ?? 0 };
}

/** One more vote through the API, which drops the cached boards. */
async function oneMoreVote() {
  const r = await fetch(`${base}/comparison`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenOf(0)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'one more', modelIds: ['demo-fast', 'demo-slow'] }),
  });
  const created = (await r.json()) as { sessionId: string; streamUrl: string };
  const stream = await fetch(`${base}${created.streamUrl}`, {
    headers: { authorization: `Bearer ${tokenOf(0)}` },
  });
  await stream.text();
  const vote = await fetch(`${base}/comparison/${created.sessionId}/vote`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokenOf(0)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ choice: 'demo-fast' }),
  });
  if (vote.status !== 201 && vote.status !== 200)
    throw new Error(`vote: HTTP ${vote.status} ${await vote.text()}`);
}

const rows: string[] = [];
{
  const t0 = performance.now();
  const tally = await app.stores.votes.tally({ blindOnly: false });
  const t1 = performance.now();
  leaderboardFromTable(aggregateKinds(tally));
  rows.push(
    `(parts: the store's tally of the votes ${(t1 - t0).toFixed(0)} ms (${tally.length} rows), the fit ${(performance.now() - t1).toFixed(0)} ms)`,
  );
}
// Wall time on a shared machine waits for other processes; the CPU time (server and this client, one
// process) is what the answer costs, and what an idle 2-core machine would take in wall time.
const report = (label: string, r: { ms: number; cpuMs: number; models: number }) =>
  rows.push(
    `${label.padEnd(44)} ${r.ms.toFixed(0).padStart(6)} ms wall ${r.cpuMs.toFixed(0).padStart(6)} ms CPU  (${r.models} models)`,
  );

report('scope=all mode=all, cold (fit computed)', await timed('/leaderboard?scope=all&mode=all'));
report('scope=all mode=all, warm (cached)', await timed('/leaderboard?scope=all&mode=all'));
report('scope=all mode=blind, cold', await timed('/leaderboard?scope=all&mode=blind'));
report(`scope=me (${VOTES / USERS} votes), cold`, await timed('/leaderboard?scope=me&mode=all', 1));
await oneMoreVote();
report('scope=all mode=all, cold after a new vote', await timed('/leaderboard?scope=all&mode=all'));
report('scope=all mode=all, warm again', await timed('/leaderboard?scope=all&mode=all'));

console.log(
  `${VOTES} stored votes on ${MODELS} models by ${USERS} users (seeded in ${seedMs.toFixed(0)} ms), node ${process.version}, load average ${loadavg()[0]?.toFixed(2)}`,
);
for (const row of rows) console.log(row);
await app.close();
rmSync(dir, { recursive: true, force: true });
