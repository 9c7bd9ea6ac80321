// A write's events as one row of session_event_batches, and back: the same text for every engine.
import type { StoredEvent } from './types.js';

/** A write's events as one row: their ids run from firstId to lastId, one line per event. */
export function encodeEvents(events: readonly StoredEvent[]) {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last || last.id - first.id + 1 !== events.length)
    throw new Error(
      `a batch of events must have consecutive ids (${first?.id}..${last?.id}, ${events.length})`,
    );
  let text = '';
  for (const e of events) text += text.length === 0 ? `${e.event} ${e.data}` : `\n${e.event} ${e.data}`;
  return { firstId: first.id, lastId: last.id, events: text };
}

/** The events of one stored row, with their ids. A row of one event is taken whole, whatever it holds. */
export function decodeEvents(row: { firstId: number; lastId: number; events: string }): StoredEvent[] {
  const lines = row.firstId === row.lastId ? [row.events] : row.events.split('\n');
  return lines.map((line, i) => {
    const space = line.indexOf(' ');
    return { id: row.firstId + i, event: line.slice(0, space), data: line.slice(space + 1) };
  });
}
