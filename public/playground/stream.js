// Watching a comparison through the browser's own EventSource, and knowing when to stop for good.
import { FINAL_EVENTS, resolveStreamUrl } from './format.js';

const EVENTS = ['model_chunk', 'model_reasoning', 'model_complete', 'model_error', ...FINAL_EVENTS];
// Connection errors in a row, with no event between them, before the page stops the browser retrying.
const MAX_RETRIES = 5;

/**
 * @typedef {'final' | 'refused' | 'lost'} EndReason
 *   final: the last event arrived; refused: the server answered with no stream (204 past the end,
 *   401 for an expired ticket, 404); lost: too many connection errors in a row.
 * @param {string} streamUrl the `streamUrl` of the comparison, a path on this server
 * @param {{ onEvent: (name: string, data: any) => void, onEnd: (reason: EndReason) => void,
 *   onRetry?: (attempt: number) => void }} handlers
 * @returns {{ close: () => void }}
 */
export function watchComparison(streamUrl, { onEvent, onEnd, onRetry }) {
  const source = new EventSource(resolveStreamUrl(streamUrl, window.location.origin));
  let failures = 0;
  let open = true;

  /** @param {EndReason} reason */
  const end = (reason) => {
    if (!open) return;
    open = false;
    // Closing before the server's own close means the browser never tries to reconnect.
    source.close();
    onEnd(reason);
  };

  for (const name of EVENTS) {
    source.addEventListener(name, (event) => {
      if (!open) return;
      failures = 0;
      let data;
      try {
        data = JSON.parse(/** @type {MessageEvent} */ (event).data);
      } catch {
        return;
      }
      onEvent(name, data);
      if (FINAL_EVENTS.includes(name)) end('final');
    });
  }

  source.addEventListener('error', () => {
    if (!open) return;
    // CLOSED: the answer was not a stream, and the browser will not retry on its own.
    if (source.readyState === EventSource.CLOSED) return end('refused');
    failures += 1;
    // Otherwise the browser reconnects by itself, sending Last-Event-ID: no event is lost or repeated.
    if (failures >= MAX_RETRIES) end('lost');
    else onRetry?.(failures);
  });

  return {
    close() {
      open = false;
      source.close();
    },
  };
}
