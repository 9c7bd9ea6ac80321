// Set-ups a few per turn of the event loop: what arrives meanwhile (stream requests, first chunks)
// is read between them instead of waiting behind every set-up of a burst.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { LAUNCHES_PER_TURN, launchTurns } from '../../src/services/launch-turns.js';

it('starts waiting set-ups in the order they came, at most LAUNCHES_PER_TURN in one turn', async () => {
  const turn = launchTurns();
  const started: { n: number; loopTurn: number }[] = [];
  // Counts turns of the event loop: one check-phase callback per turn.
  let loopTurn = 0;
  let counting = true;
  const tick = () => {
    loopTurn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  await Promise.all(
    Array.from({ length: 10 }, (_, n) =>
      turn().then(() => {
        started.push({ n, loopTurn });
      }),
    ),
  );
  counting = false;
  expect(started.map((s) => s.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const perTurn = new Map<number, number>();
  for (const s of started) perTurn.set(s.loopTurn, (perTurn.get(s.loopTurn) ?? 0) + 1);
  expect(Math.max(...perTurn.values())).toBe(LAUNCHES_PER_TURN);
  // 10 set-ups at 4 a turn: three turns.
  expect(perTurn.size).toBe(3);
});

it('a burst of set-ups lets a request that arrived meanwhile be answered before the last of them', async () => {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const turn = launchTurns();
    const events: string[] = [];
    // Another request on its way (as a stream request after its POST would be).
    const answered = new Promise<void>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        res.on('end', () => {
          events.push('request answered');
          resolve();
        });
      })
        .on('error', reject)
        .end();
    });
    // 200 set-ups of about 1 ms of synchronous work each, all asked for at once.
    const burst = Array.from({ length: 200 }, (_, n) =>
      turn().then(() => {
        const until = performance.now() + 1;
        while (performance.now() < until);
        if (n === 199) events.push('last set-up');
      }),
    );
    await Promise.all([answered, ...burst]);
    expect(events).toEqual(['request answered', 'last set-up']);
  } finally {
    server.close();
  }
});

it('a lone set-up starts within a turn', async () => {
  const turn = launchTurns();
  let immediateRan = 0;
  setImmediate(() => {
    immediateRan++;
  });
  await turn();
  // Started in the first check phase: no more than the one immediate queued before it has run.
  expect(immediateRan).toBeLessThanOrEqual(1);
});
