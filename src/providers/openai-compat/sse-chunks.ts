// The chunks of an OpenAI-style event stream, decoded here instead of by the SDK's Stream.
import { APIError } from 'openai';
import { EventEnds, type EventSizeLimit, joined } from '../event-pieces.js';
import { nodeBodyOf } from '../node-fetch.js';

/** A blank line ends an event: LF LF, CR CR or CRLF CRLF, as the SDK's decoder reads them. */
const EVENT_END = /\r\n\r\n|\n\n|\r\r/g;
const LINE_END = /\r\n|\r|\n/;

/** The `data` of one event (its data lines joined by LF), or undefined for an event without data. */
function dataOf(event: string): string | undefined {
  // The usual event, one `data: ` line: no split, no array.
  if (event.startsWith('data: ') && event.indexOf('\n') < 0 && event.indexOf('\r') < 0) return event.slice(6);
  let data: string | undefined;
  for (const line of event.split(LINE_END)) {
    if (!line.startsWith('data:')) continue;
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}

interface BodyReads {
  next(): Promise<IteratorResult<Uint8Array>>;
  /** Stops reading and closes the upstream request. */
  cancel(): Promise<void>;
}

/** The response body's reads: straight from the socket's stream when nodeHttpFetch made the response. */
function readsOf(response: Response): BodyReads | undefined {
  const node = nodeBodyOf(response);
  if (node) {
    const iterator = node[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    return {
      next: () => iterator.next(),
      cancel: async () => {
        node.destroy();
      },
    };
  }
  const reader = response.body?.getReader();
  if (!reader) return undefined;
  return { next: () => reader.read() as Promise<IteratorResult<Uint8Array>>, cancel: () => reader.cancel() };
}

/**
 * Yields each JSON chunk of a chat completions stream, as the SDK's Stream does: `[DONE]` ends it,
 * an event with an `error` throws the SDK's APIError (mapped like any other), an event that is not
 * JSON throws its SyntaxError, an unfinished event at the very end is dropped. The relay profile had
 * the SDK's generic decoding (a line decoder, an SSE decoder and an async generator per layer) as the
 * largest cost per chunk after the socket writes. Event ends are found on the bytes, each byte looked
 * at once (EventEnds), and only whole events are decoded: an unfinished event is held as the reads
 * that carry it and decoded once when it ends, so a huge event costs its size, not its size times
 * its reads; one growing past `limit.maxBytes` fails the stream with `limit.tooLarge()`. This used to
 * be a second web stream in between (event-pieces.ts, kept for the Anthropic SDK's decoder): one
 * more pull, enqueue and read per chunk. Leaving early cancels the body, which closes the upstream
 * request. A response of nodeHttpFetch is read from its Node stream, not through a web stream.
 */
export async function* sseChunks<T>(
  response: Response,
  limit?: EventSizeLimit,
): AsyncGenerator<T, void, undefined> {
  const reads = readsOf(response);
  if (!reads) return;
  const decoder = new TextDecoder();
  const ends = new EventEnds();
  const maxBytes = limit?.maxBytes ?? Number.POSITIVE_INFINITY;
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let rest = '';
  /** `[DONE]` came: what follows is read to the end (so the connection is reused) and ignored. */
  let finished = false;
  let ended = false;
  try {
    while (true) {
      const read = await reads.next();
      if (read.done) break;
      if (finished) continue;
      const bytes = read.value;
      const found = ends.scan(bytes);
      if (found.length === 0) {
        held.push(bytes);
        heldBytes += bytes.length;
        if (heldBytes > maxBytes && limit) throw limit.tooLarge();
        continue;
      }
      let previous = -heldBytes;
      for (const end of found) {
        if (end - previous > maxBytes && limit) throw limit.tooLarge();
        previous = end;
      }
      const last = previous;
      held.push(last === bytes.length ? bytes : bytes.subarray(0, last));
      // Cut at event ends (ASCII), so no UTF-8 sequence is split; `stream` keeps a BOM read as text.
      const text = rest + decoder.decode(joined(held, heldBytes + last), { stream: true });
      held = last < bytes.length ? [bytes.subarray(last)] : [];
      heldBytes = bytes.length - last;
      if (heldBytes > maxBytes && limit) throw limit.tooLarge();
      let start = 0;
      EVENT_END.lastIndex = 0;
      for (let m = EVENT_END.exec(text); m !== null; m = EVENT_END.exec(text)) {
        const data = dataOf(text.slice(start, m.index));
        start = m.index + m[0].length;
        if (data === undefined) continue;
        if (data.startsWith('[DONE]')) {
          finished = true;
          break;
        }
        const chunk: unknown = JSON.parse(data);
        const error =
          typeof chunk === 'object' && chunk !== null ? (chunk as { error?: unknown }).error : undefined;
        if (error) throw new APIError(undefined, error as object, undefined, response.headers);
        yield chunk as T;
      }
      // Empty unless the two ways of finding an end ever disagree: nothing is lost then either.
      rest = finished ? '' : text.slice(start);
    }
    ended = true;
  } finally {
    // Left early (a break, a throw, the consumer's return): the upstream request closes at once.
    if (!ended) await reads.cancel().catch(() => {});
  }
}
