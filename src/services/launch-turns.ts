// Set-ups of comparisons a few per turn of the event loop, in the order they were asked for.

/** Set-ups a turn of the event loop starts at most (measured: 1 a turn cost more set-up CPU than 4). */
export const LAUNCHES_PER_TURN = 4;

/**
 * Set-ups a few at a time, each few in its own turn of the event loop: between two, the loop reads
 * what has arrived meanwhile (the stream requests of comparisons already set up, their first
 * chunks). When 50 comparisons started at once, all 50 set-ups ran back to back before the first
 * stream request was read, so every first token waited for every set-up. Returns a function whose
 * promise resolves at the caller's turn, in the order of the calls.
 */
export function launchTurns(perTurn = LAUNCHES_PER_TURN): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let busy = false;
  const next = () => {
    if (waiting.length === 0) {
      busy = false;
      return;
    }
    for (const go of waiting.splice(0, perTurn)) go();
    // Scheduled from a check-phase callback, it runs in the next turn, after that turn's I/O.
    setImmediate(next);
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      if (!busy) {
        busy = true;
        setImmediate(next);
      }
    });
}
