// Views of the event log: how one reader sees an event (the owner's view; a blind session's, later).
import type { LoggedEvent } from './event-log.js';

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
