// The store's share of a comparison's set-up (budget reservation, session rows): CPU per comparison, on a WAL file.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/client.js';
import { createSqliteStores } from '../src/repositories/sqlite/index.js';

/** `--two-commits`: reserve, then create, as engines without the synchronous halves do. */
const twoCommits = process.argv.includes('--two-commits');
const dir = mkdtempSync(join(tmpdir(), 'setup-store-'));
const opened = openDatabase(join(dir, 'bench.db'));
const stores = createSqliteStores(opened.db, { budgets: { unpriced: 'allow' } });
await stores.users.upsert({ id: 'u1', email: null, name: null });

/** One comparison's set-up as the service does it: one model, reserved, then stored. */
async function setUp(): Promise<void> {
  const responseId = randomUUID();
  const session = {
    id: randomUUID(),
    userId: 'u1',
    prompt: 'Write a haiku about the sea',
    responses: [{ id: responseId, modelId: 'gpt-5-mini', provider: 'openai' }],
  };
  const items = [{ responseId, modelId: 'gpt-5-mini', maxCost: 0.01 }];
  const { budgets, sessions } = stores;
  const createSync = sessions.createSync;
  if (budgets.reserveWithin && createSync && !twoCommits) {
    budgets.reserveWithin('u1', items, new Date(), () => createSync(session));
    return;
  }
  await budgets.reserve('u1', items, new Date());
  await sessions.create(session);
}

for (let i = 0; i < 2000; i++) await setUp();
const rounds = 5;
const n = 4000;
const perRound: number[] = [];
for (let r = 0; r < rounds; r++) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await setUp();
  const used = process.cpuUsage(start);
  perRound.push((used.user + used.system) / n);
}
perRound.sort((a, b) => a - b);
console.log(
  `CPU per set-up (reserve + session rows), µs: median ${perRound[2]?.toFixed(1)}, all ${perRound.map((x) => x.toFixed(1)).join(' ')}`,
);
opened.close();
rmSync(dir, { recursive: true, force: true });
