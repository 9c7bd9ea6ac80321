// The SQLite budget ledger against the BudgetStore contract, plus SQLite's own: two connections to one file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { createSqliteBudgetStore } from '../../../src/repositories/sqlite/budget-store.js';
import type { BudgetLimits } from '../../../src/services/budget.js';
import { describeBudgetStore } from '../budget-store.contract.js';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

function store(limits: BudgetLimits, path = ':memory:') {
  const database = openDatabase(path);
  opened.push(database);
  return { budgets: createSqliteBudgetStore(database.db, limits), sqlite: database.sqlite };
}

describeBudgetStore('SQLite', async (limits) => {
  const { budgets, sqlite } = store(limits);
  const ledger = async () => {
    const row = sqlite
      .prepare('select count(*) as rows, coalesce(sum(reserved_nano), 0) as nano from budget_ledger')
      .get() as { rows: number; nano: number };
    return { rows: row.rows, nano: row.nano };
  };
  return { budgets, ledger };
});

describe('SQLite budget ledger', () => {
  it('holds across two connections to one database file (BEGIN IMMEDIATE)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'budget-'));
    try {
      const path = join(dir, 'db.sqlite');
      const a = store({ usdPerMonth: 0.5, unpriced: 'deny' }, path).budgets;
      const b = store({ usdPerMonth: 0.5, unpriced: 'deny' }, path).budgets;
      const now = new Date('2026-12-01T12:00:00Z');
      let n = 0;
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).reserve(
            'bob',
            [{ responseId: `two-${++n}`, modelId: 'gpt-4o', maxCost: 0.1 }],
            now,
          ),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect((await a.usage('bob', now)).month).toMatchObject({ reserved: 0.5, remaining: 0 });
    } finally {
      await Promise.all(opened.splice(0).map((d) => d.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
