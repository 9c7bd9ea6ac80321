// WAL checkpoints from a worker thread: the WAL stays bounded, a failed worker falls back, close stops it.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { captureLogs } from '../helper.js';

type Opened = ReturnType<typeof openDatabase>;

let dir: string;
const opened: Opened[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'playground-wal-'));
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(path: string, options: Parameters<typeof openDatabase>[1] = {}) {
  const o = openDatabase(path, options);
  opened.push(o);
  return o;
}

const autocheckpoint = ({ sqlite }: Opened) => sqlite.pragma('wal_autocheckpoint', { simple: true });

/** One round: three transactions of 100 rows of 16 KiB, about 1,200 WAL pages of 4 KiB in all. */
function writeRound({ sqlite }: Opened) {
  sqlite.exec('create table if not exists filler (body blob not null)');
  const insert = sqlite.prepare('insert into filler (body) values (randomblob(16384))');
  const transaction = sqlite.transaction(() => {
    for (let i = 0; i < 100; i++) insert.run();
  });
  for (let t = 0; t < 3; t++) transaction();
}

/** The main file holds every committed page: only a checkpoint copies pages out of the WAL into it. */
async function untilMainFileCaughtUp(path: string, { sqlite }: Opened) {
  const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  await vi.waitFor(() => expect(statSync(path).size).toBe(pages * pageSize), { timeout: 10_000 });
}

describe('WAL checkpoints from a worker', () => {
  it('keeps the WAL from growing across write rounds, with no automatic checkpoint on commit', async () => {
    const path = join(dir, 'db.sqlite');
    const db = open(path, { checkpointIntervalMs: 50 });
    expect(autocheckpoint(db)).toBe(0);

    const walSizes: number[] = [];
    for (let round = 0; round < 4; round++) {
      writeRound(db);
      await untilMainFileCaughtUp(path, db);
      walSizes.push(statSync(`${path}-wal`).size);
    }
    // Without checkpoints the WAL would hold all four rounds (about 20 MiB); here each round reuses it.
    expect(walSizes[0]).toBeGreaterThan(1000 * 4096);
    expect(walSizes.at(-1)).toBeLessThan(2 * walSizes[0]!);
    expect(db.sqlite.prepare('select count(*) as n from filler').get()).toEqual({ n: 1200 });
  });

  it('falls back to the automatic checkpoint, logged once, when the worker cannot start', async () => {
    const logs = captureLogs();
    const path = join(dir, 'db.sqlite');
    const db = open(path, {
      log: pino(logs.stream),
      sqliteModulePath: join(dir, 'no-such-module.js'),
    });
    await vi.waitFor(() => expect(autocheckpoint(db)).toBe(1000), { timeout: 10_000 });
    expect(logs.lines.filter((l) => l.includes('WAL checkpoint worker failed'))).toHaveLength(1);
    expect(logs.text()).toContain('no-such-module.js');

    // Still a working database, and SQLite checkpoints on commit again: the WAL does not pile up.
    for (let round = 0; round < 3; round++) writeRound(db);
    expect(statSync(`${path}-wal`).size).toBeLessThan(2 * 1200 * 4096);
    expect(db.sqlite.prepare('select count(*) as n from filler').get()).toEqual({ n: 900 });
  });

  it('stops the worker on close, folds the WAL in and keeps every row', async () => {
    const path = join(dir, 'db.sqlite');
    const first = openDatabase(path, { checkpointIntervalMs: 50 });
    writeRound(first);
    // The worker has its connection open and has checkpointed; more rows are left in the WAL.
    await untilMainFileCaughtUp(path, first);
    writeRound(first);
    await first.close();
    expect(first.sqlite.open).toBe(false);
    // Only the last connection to a file removes its WAL: the worker's was closed before the main one.
    expect(existsSync(`${path}-wal`)).toBe(false);

    const second = open(path);
    expect(second.sqlite.prepare('select count(*) as n from filler').get()).toEqual({ n: 600 });
  });

  it('starts no worker for :memory:', async () => {
    const db = openDatabase(':memory:');
    // SQLite's own default stays: nothing else would checkpoint (an in-memory database has no WAL).
    expect(autocheckpoint(db)).toBe(1000);
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('memory');
    await db.close();
    expect(db.sqlite.open).toBe(false);
  });
});
