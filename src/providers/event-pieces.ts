// An event stream re-cut at event ends for the SDKs' decoders: whole events only, each under a size cap.

const LF = 0x0a;
const CR = 0x0d;

export interface EventSizeLimit {
  maxBytes: number;
  /** The error the stream fails with (a ProviderError naming the endpoint). */
  tooLarge: () => Error;
}

/**
 * Finds where events end (a blank line: `\n\n`, `\r\r` or `\r\n\r\n`, the three ends openai's
 * decoder looks for) across reads, each byte looked at once: the last bytes of a read are carried
 * over, so an end split between two reads is found too.
 */
export class EventEnds {
  /** The bytes before the next read, the latest first; 0 where an event just ended. */
  private carry = [0, 0, 0];

  /** Offsets just after each event end in `chunk`, in order. */
  scan(chunk: Uint8Array): number[] {
    const ends: number[] = [];
    // Bytes before `fresh` belong to an event already ended: they start no new end.
    let fresh = -3;
    const at = (i: number) =>
      i < fresh ? 0 : i >= 0 ? (chunk[i] as number) : (this.carry[-i - 1] as number);
    let lf = chunk.indexOf(LF);
    let cr = chunk.indexOf(CR);
    while (lf !== -1 || cr !== -1) {
      const i = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      const byte = at(i);
      const ended =
        byte === LF
          ? at(i - 1) === LF || (at(i - 1) === CR && at(i - 2) === LF && at(i - 3) === CR)
          : at(i - 1) === CR;
      if (ended) {
        ends.push(i + 1);
        fresh = i + 1;
      }
      if (byte === LF) lf = chunk.indexOf(LF, i + 1);
      else cr = chunk.indexOf(CR, i + 1);
    }
    const n = chunk.length;
    this.carry = [at(n - 1), at(n - 2), at(n - 3)];
    return ends;
  }
}

/** The held pieces as one array of `bytes` bytes (the piece itself when there is one). */
export const joined = (parts: Uint8Array[], bytes: number) => {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/**
 * The same bytes in the same order, cut so that every piece ends where an event ends: whole events,
 * grouped up to about `pieceBytes` (an event longer than that is one piece). The unfinished event of
 * a read is held here (views, copied once when it ends), never handed on in parts: openai's decoder
 * copies its whole buffer on every read and scans it from the start for an event end, so an event
 * that arrived in k parts cost it k times the event's size, quadratic in it (50 MB stalled the
 * server for minutes). With `limit`, an event growing past `limit.maxBytes` fails the stream at once.
 */
export function eventPieces(
  body: ReadableStream<Uint8Array>,
  pieceBytes: number,
  limit?: EventSizeLimit,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const ends = new EventEnds();
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  const tooLarge = (bytes: number) => limit !== undefined && bytes > limit.maxBytes;

  /** What one read lets us hand on, in order; the rest of it is held. */
  function piecesOf(chunk: Uint8Array): Uint8Array[] | 'too large' {
    const found = ends.scan(chunk);
    if (found.length === 0) {
      held.push(chunk);
      heldBytes += chunk.length;
      return tooLarge(heldBytes) ? 'too large' : [];
    }
    const out: Uint8Array[] = [];
    let start = 0;
    if (held.length > 0) {
      const first = found[0] as number;
      if (tooLarge(heldBytes + first)) return 'too large';
      held.push(chunk.subarray(0, first));
      out.push(joined(held, heldBytes + first));
      start = first;
    }
    let pieceStart = start;
    let previous = start;
    for (const end of found) {
      if (end <= start) continue;
      if (tooLarge(end - previous)) return 'too large';
      if (end - pieceStart > pieceBytes && previous > pieceStart) {
        out.push(chunk.subarray(pieceStart, previous));
        pieceStart = previous;
      }
      previous = end;
    }
    if (previous > pieceStart)
      out.push(pieceStart === 0 && previous === chunk.length ? chunk : chunk.subarray(pieceStart, previous));
    const rest = chunk.subarray(previous);
    held = rest.length > 0 ? [rest] : [];
    heldBytes = rest.length;
    return tooLarge(heldBytes) ? 'too large' : out;
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Until a piece is ready: a pull that enqueues nothing would not be called again.
        while (true) {
          let read: Awaited<ReturnType<typeof reader.read>>;
          try {
            read = await reader.read();
          } catch (err) {
            // The same error object (an AbortError when the request is aborted), so the SDK sees what it would have.
            controller.error(err);
            return;
          }
          if (read.done) {
            if (heldBytes > 0) controller.enqueue(joined(held, heldBytes));
            held = [];
            heldBytes = 0;
            controller.close();
            return;
          }
          const out = piecesOf(read.value);
          if (out === 'too large') {
            held = [];
            heldBytes = 0;
            void reader.cancel().catch(() => {});
            controller.error((limit as EventSizeLimit).tooLarge());
            return;
          }
          for (const piece of out) controller.enqueue(piece);
          if (out.length > 0) return;
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Read upstream only when the SDK asks: backpressure stays where it was.
    { highWaterMark: 0 },
  );
}
