// guardStream: the caller's abort and the idle timeout stop an upstream call at once; a break closes it.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type GuardOptions, guardStream } from '../../src/providers/guard-stream.js';
import { ProviderError } from '../../src/providers/types.js';

/** An upstream as an SDK gives it: events on a schedule, with a record of how it was treated. */
function upstream(
  events: { value: string; delayMs?: number }[],
  { headersDelayMs = 0, hangAtEnd = false } = {},
) {
  const seen = { opened: 0, signal: undefined as AbortSignal | undefined, returned: false, delivered: 0 };
  const open = async (signal: AbortSignal) => {
    seen.opened++;
    seen.signal = signal;
    // An SDK that ignores the abort while waiting for headers: guardStream must not wait for it.
    await sleep(headersDelayMs);
    return (async function* () {
      try {
        for (const e of events) {
          await sleep(e.delayMs ?? 0);
          seen.delivered++;
          yield e.value;
        }
        if (hangAtEnd) await new Promise(() => {});
      } finally {
        seen.returned = true;
      }
    })();
  };
  return { open, seen };
}

function guarded(
  open: GuardOptions<string>['open'],
  { signal = new AbortController().signal, idleTimeoutMs = 1000, readsSettleOnAbort = false } = {},
) {
  return guardStream<string>({
    provider: 'local',
    providerName: 'Ollama on this machine',
    signal,
    idleTimeoutMs,
    open,
    mapError: (err) => new ProviderError('upstream', `mapped: ${(err as Error).message}`, 'local'),
    readsSettleOnAbort,
  });
}

async function drain(stream: AsyncIterable<string>, perEvent?: () => Promise<void>) {
  const got: string[] = [];
  try {
    for await (const v of stream) {
      got.push(v);
      await perEvent?.();
    }
  } catch (err) {
    return { got, error: err as ProviderError };
  }
  return { got, error: undefined };
}

describe('guardStream', () => {
  it('yields every upstream event and ends normally, leaving the request as it finished', async () => {
    const u = upstream([{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const { got, error } = await drain(guarded(u.open));
    expect(got).toEqual(['a', 'b', 'c']);
    expect(error).toBeUndefined();
    expect(u.seen.signal?.aborted).toBe(false);
  });

  it('an abort while waiting on the upstream throws cancelled at once and aborts the request', async () => {
    const caller = new AbortController();
    const u = upstream([{ value: 'a' }], { hangAtEnd: true });
    const started = Date.now();
    setTimeout(() => caller.abort(), 30);
    const { got, error } = await drain(guarded(u.open, { signal: caller.signal, idleTimeoutMs: 10_000 }));
    expect(got).toEqual(['a']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error?.kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(u.seen.signal?.aborted).toBe(true);
  });

  it('an abort while the headers are awaited does not wait for an SDK that ignores it', async () => {
    const caller = new AbortController();
    const u = upstream([{ value: 'a' }], { headersDelayMs: 5_000 });
    setTimeout(() => caller.abort(), 20);
    const started = Date.now();
    const { error } = await drain(guarded(u.open, { signal: caller.signal, idleTimeoutMs: 10_000 }));
    expect(error?.kind).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(u.seen.signal?.aborted).toBe(true);
  });

  it('a caller already aborted never opens the request', async () => {
    const caller = new AbortController();
    caller.abort();
    const u = upstream([{ value: 'a' }]);
    const { got, error } = await drain(guarded(u.open, { signal: caller.signal }));
    expect(got).toEqual([]);
    expect(error?.kind).toBe('cancelled');
    expect(u.seen.opened).toBe(0);
  });

  it('an upstream silent past the idle timeout fails with timeout, naming the endpoint, and is aborted', async () => {
    const u = upstream([{ value: 'a' }, { value: 'late', delayMs: 5_000 }]);
    const started = Date.now();
    const { got, error } = await drain(guarded(u.open, { idleTimeoutMs: 100 }));
    expect(got).toEqual(['a']);
    expect(error?.kind).toBe('timeout');
    expect(error?.message).toBe('Ollama on this machine sent nothing for 0.1 s; request abandoned');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(u.seen.signal?.aborted).toBe(true);
  });

  it('slow headers count against the idle timeout too', async () => {
    const u = upstream([{ value: 'a' }], { headersDelayMs: 5_000 });
    const { error } = await drain(guarded(u.open, { idleTimeoutMs: 80 }));
    expect(error?.kind).toBe('timeout');
  });

  it('a slow consumer is never blamed on the upstream: the timer runs only while we wait on it', async () => {
    const u = upstream([{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    // Each event takes the consumer three idle timeouts to handle.
    const { got, error } = await drain(guarded(u.open, { idleTimeoutMs: 40 }), () => sleep(120));
    expect(error).toBeUndefined();
    expect(got).toEqual(['a', 'b', 'c']);
  });

  it('breaking out early closes the upstream request and its stream', async () => {
    const u = upstream([{ value: 'a' }, { value: 'b' }, { value: 'c' }, { value: 'd' }]);
    for await (const v of guarded(u.open)) if (v === 'b') break;
    expect(u.seen.signal?.aborted).toBe(true);
    await sleep(10);
    expect(u.seen.returned).toBe(true);
    expect(u.seen.delivered).toBeLessThan(4);
  });

  it('an upstream that ends quietly once aborted still reads as cancelled, never as a finish', async () => {
    const caller = new AbortController();
    const open = async (signal: AbortSignal) =>
      (async function* () {
        yield 'a';
        // Ends without an error as soon as it sees the abort, as some SDK iterators do.
        await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      })();
    setTimeout(() => caller.abort(), 20);
    const { got, error } = await drain(guarded(open, { signal: caller.signal }));
    expect(got).toEqual(['a']);
    expect(error?.kind).toBe('cancelled');
  });

  it('maps other failures with mapError, and passes a ProviderError through as it is', async () => {
    const failing = (err: Error) => async () =>
      (async function* () {
        yield 'a';
        throw err;
      })();
    const mapped = await drain(guarded(failing(new Error('socket hang up'))));
    expect(mapped.error).toMatchObject({ kind: 'upstream', message: 'mapped: socket hang up' });
    const own = new ProviderError('rate_limited', 'Slow down', 'local', 429);
    expect((await drain(guarded(failing(own)))).error).toBe(own);
  });
});

describe('guardStream over reads that settle on abort (readsSettleOnAbort: our decoder over a fetch body)', () => {
  /** Events on a schedule; a pending read rejects with the signal's reason the moment it aborts, as a body read does. */
  function honouring(events: { value: string; delayMs?: number }[]) {
    const seen = { signal: undefined as AbortSignal | undefined };
    const open = async (signal: AbortSignal) => {
      seen.signal = signal;
      return (async function* () {
        for (const e of events) {
          await sleep(e.delayMs ?? 0, undefined, { signal });
          yield e.value;
        }
      })();
    };
    return { open, seen };
  }
  const settling = (open: GuardOptions<string>['open'], signal: AbortSignal, idleTimeoutMs: number) =>
    guarded(open, { signal, idleTimeoutMs, readsSettleOnAbort: true });

  it('yields every event; a cancel mid-read and a silent upstream still end at once, with their kinds', async () => {
    const whole = honouring([{ value: 'a' }, { value: 'b', delayMs: 5 }]);
    expect(await drain(settling(whole.open, new AbortController().signal, 1000))).toEqual({
      got: ['a', 'b'],
      error: undefined,
    });

    const caller = new AbortController();
    const cancelled = honouring([{ value: 'a' }, { value: 'late', delayMs: 10_000 }]);
    setTimeout(() => caller.abort(), 30);
    let started = Date.now();
    const stopped = await drain(settling(cancelled.open, caller.signal, 10_000));
    expect([stopped.got, stopped.error?.kind]).toEqual([['a'], 'cancelled']);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(cancelled.seen.signal?.aborted).toBe(true);

    const silent = honouring([{ value: 'a' }, { value: 'late', delayMs: 10_000 }]);
    started = Date.now();
    const timedOut = await drain(settling(silent.open, new AbortController().signal, 100));
    expect([timedOut.got, timedOut.error?.message]).toEqual([
      ['a'],
      'Ollama on this machine sent nothing for 0.1 s; request abandoned',
    ]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a slow consumer is never blamed on the upstream', async () => {
    const u = honouring([{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const { got, error } = await drain(settling(u.open, new AbortController().signal, 40), () => sleep(120));
    expect([got, error]).toEqual([['a', 'b', 'c'], undefined]);
  });
});
