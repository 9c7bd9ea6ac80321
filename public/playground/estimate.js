// The cost estimate under the Run button (POST /comparison/estimate, debounced) and the budget line (GET /me/usage).
import { estimateText, usageText } from './format.js';

const DEBOUNCE_MS = 400;

/**
 * @param {{ line: HTMLElement, usage: HTMLElement, api: ReturnType<typeof import('./api.js').createApi>,
 *   body: () => Record<string, unknown> | null, hasToken: () => boolean }} options
 *   body: the POST /comparison body the form would send now, or null when it is not runnable yet
 */
export function createEstimate({ line, usage, api, body, hasToken }) {
  let timer = 0;
  let latest = 0;

  const show = (text, kind = 'info') => {
    line.textContent = text;
    line.dataset.kind = kind;
    line.hidden = text === '';
  };

  async function refresh() {
    const request = ++latest;
    const payload = body();
    if (!payload) return show('');
    line.dataset.state = 'loading';
    try {
      const { data } = await api('/comparison/estimate', { method: 'POST', body: payload });
      if (request !== latest) return;
      show(estimateText(data));
    } catch (err) {
      if (request !== latest) return;
      // A half-typed form (a bad max tokens) is not worth a red line; the Run button says why.
      show(/** @type {any} */ (err).status === 404 ? '' : `Estimate unavailable: ${err.message}`, 'muted');
    } finally {
      if (request === latest) line.dataset.state = 'ready';
    }
  }

  async function refreshUsage() {
    if (!hasToken()) {
      usage.hidden = true;
      return;
    }
    try {
      const { data } = await api('/me/usage');
      const parts = [usageText('Today', data?.day), usageText('This month', data?.month)].filter(Boolean);
      usage.replaceChildren(parts.join(' · '));
      usage.hidden = parts.length === 0;
    } catch {
      usage.hidden = true;
    }
  }

  return {
    /** Call on every change of the form: the request goes out once typing pauses. */
    schedule() {
      clearTimeout(timer);
      timer = window.setTimeout(() => void refresh(), DEBOUNCE_MS);
    },
    refresh,
    refreshUsage,
  };
}
