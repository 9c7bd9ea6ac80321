// Views of the event log: how one reader sees an event (the owner's view; a blind session's, later).
import type { ComparisonEvent } from './comparison-events.js';

export interface LoggedEvent {
  id: number;
  event: ComparisonEvent;
  /** The owner's JSON data line, serialised once for the owner's subscribers and for the database. */
  data: string;
  /** The owner's SSE frame, built once: subscribers only concatenate and write. */
  frame: string;
  /** Bytes of all owner frames up to and including this one, so a subscriber's lag costs O(1) to measure. */
  offset: number;
}

export function sseFrame(id: number, event: string, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/**
 * A view turns a logged event into SSE text for one kind of reader, or null to leave it out. The
 * log caches each view's frames per event (by `key`), so however many subscribers share a view,
 * an event is rendered once for it. The owner's view is the frame the log built at append.
 */
export interface EventView {
  readonly key: string;
  frame(event: LoggedEvent): string | null;
}

export const ownerView: EventView = { key: 'owner', frame: (e) => e.frame };
