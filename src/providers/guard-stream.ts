// One upstream streaming call under our two stop conditions: the caller's abort signal and an idle timeout.
import { ProviderError } from './types.js';

export interface GuardOptions<T> {
  /** The endpoint's id. */
  provider: string;
  /** The endpoint's display name, for messages: "OpenAI", "Ollama on this machine". */
  providerName: string;
  /** The caller's signal (`GenerateRequest.signal`). */
  signal: AbortSignal;
  /** Longest silence allowed while we wait on the upstream: for the response, then for each event. */
  idleTimeoutMs: number;
  /** Starts the SDK call with a signal we own; resolves with the event stream once headers arrived. */
  open: (signal: AbortSignal) => Promise<AsyncIterable<T>>;
  /** Turns any other failure into a ProviderError whose message is safe to show a user. */
  mapError: (err: unknown) => ProviderError;
  /**
   * The stream's reads settle as soon as the signal given to `open` aborts (our own decoder over a
   * fetch body, whose request the signal closes): each read is then awaited as it is, instead of
   * through a race made for it, which cost a promise and three closures per event.
   */
  readsSettleOnAbort?: boolean;
}

/**
 * Yields the upstream events until the stream ends. Aborting `signal` throws ProviderError 'cancelled',
 * silence longer than `idleTimeoutMs` throws 'timeout'; both abort the upstream HTTP request at once.
 * The SDK's own timeout only covers the time to response headers, and neither SDK's stream notices a
 * server that stops sending mid-body, hence the timer here. The timer runs only while we wait on the
 * upstream, not while the consumer handles an event, so a slow consumer is never blamed on the provider.
 */
export async function* guardStream<T>(opts: GuardOptions<T>): AsyncGenerator<T, void, undefined> {
  const { provider, signal, idleTimeoutMs } = opts;
  const upstream = new AbortController();
  let stopped: ProviderError | undefined;
  let rejectWait: ((err: ProviderError) => void) | undefined;
  let waiting = false;

  const stop = (err: ProviderError) => {
    if (stopped) return;
    stopped = err;
    upstream.abort(err);
    rejectWait?.(err);
  };
  const onAbort = () => stop(new ProviderError('cancelled', 'cancelled', provider));
  const idle = setTimeout(() => {
    if (!waiting) return;
    const seconds = Math.round(idleTimeoutMs / 100) / 10;
    stop(
      new ProviderError(
        'timeout',
        `${opts.providerName} sent nothing for ${seconds} s; request abandoned`,
        provider,
      ),
    );
  }, idleTimeoutMs);

  /**
   * Settles with `work`, or rejects the moment the call is stopped. The SDKs end a pending read quietly
   * (or only after a retry back-off) when aborted, so we don't rely on them to settle promptly.
   */
  const wait = <R>(work: Promise<R>) =>
    new Promise<R>((resolve, reject) => {
      if (stopped) {
        work.catch(() => {});
        return reject(stopped);
      }
      waiting = true;
      idle.refresh();
      rejectWait = reject;
      work.then(
        (value) => {
          waiting = false;
          resolve(value);
        },
        (err: unknown) => {
          waiting = false;
          reject(err);
        },
      );
    });

  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });

  let iterator: AsyncIterator<T> | undefined;
  let finished = false;
  try {
    if (stopped) throw stopped;
    const events = await wait(opts.open(upstream.signal));
    iterator = events[Symbol.asyncIterator]();
    while (true) {
      let next: IteratorResult<T>;
      if (opts.readsSettleOnAbort) {
        waiting = true;
        idle.refresh();
        try {
          next = await iterator.next();
        } finally {
          waiting = false;
        }
        if (stopped) throw stopped;
      } else next = await wait(iterator.next());
      if (next.done) break;
      yield next.value;
    }
    // An aborted SDK stream just ends, with no error: a stopped call must never look like a normal finish.
    if (stopped) throw stopped;
    finished = true;
  } catch (err) {
    if (stopped) throw stopped;
    if (err instanceof ProviderError) throw err;
    throw opts.mapError(err);
  } finally {
    clearTimeout(idle);
    signal.removeEventListener('abort', onAbort);
    rejectWait = undefined;
    if (!finished) {
      // Also reached when the consumer breaks out early: close the upstream request either way.
      upstream.abort();
      iterator?.return?.().catch(() => {});
    }
  }
}
