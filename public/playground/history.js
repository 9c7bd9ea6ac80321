// The history column: the user's comparisons from GET /comparison, newest first, a page at a time.
import { el } from './columns.js';
import { formatWhen, hasMore, modelIdsOf, plural, truncate } from './format.js';

const PAGE = 15;

/** @param {string | undefined} status */
function statusLabel(status) {
  return status === 'in_progress' ? 'running' : (status ?? '');
}

function historyItem(session) {
  const models = modelIdsOf(session.models ?? session.responses);
  return el(
    'li',
    {},
    el(
      'button',
      {
        type: 'button',
        class: 'history-item',
        'data-session-id': session.id,
        title: truncate(session.prompt, 300),
      },
      el('span', { class: 'history-prompt' }, truncate(session.prompt, 90) || '(empty prompt)'),
      el(
        'span',
        { class: 'history-meta' },
        el('span', { class: 'status small', 'data-status': session.status }, statusLabel(session.status)),
        [formatWhen(session.createdAt), plural(models.length, 'model')].filter(Boolean).join(' · '),
      ),
    ),
  );
}

/**
 * @param {{ list: HTMLElement, more: HTMLElement, empty: HTMLElement,
 *   api: ReturnType<typeof import('./api.js').createApi>, hasToken: () => boolean,
 *   onOpen: (sessionId: string) => void }} options
 */
export function createHistory({ list, more, empty, api, hasToken, onOpen }) {
  let loaded = 0;
  let latest = 0;
  /** @type {string | null} */
  let active = null;

  const markActive = () => {
    for (const button of list.querySelectorAll('button[data-session-id]')) {
      if (/** @type {HTMLElement} */ (button).dataset.sessionId === active)
        button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
  };

  /** @param {boolean} reset */
  const load = async (reset) => {
    if (!hasToken()) {
      list.replaceChildren();
      more.hidden = true;
      empty.hidden = false;
      return;
    }
    // Only the latest request may draw: a slow earlier answer must not overwrite a newer one.
    const request = ++latest;
    const offset = reset ? 0 : loaded;
    try {
      const { data, response } = await api(`/comparison?limit=${PAGE}&offset=${offset}`);
      if (request !== latest) return;
      const sessions = Array.isArray(data) ? data : [];
      if (reset) list.replaceChildren();
      list.append(...sessions.map(historyItem));
      loaded = offset + sessions.length;
      empty.hidden = loaded > 0;
      more.hidden = !hasMore(response.headers.get('x-total-count'), loaded);
      markActive();
    } catch (err) {
      if (request !== latest || !reset) return;
      list.replaceChildren(el('li', { class: 'error-text' }, err.message));
      more.hidden = true;
      empty.hidden = true;
    }
  };

  more.addEventListener('click', () => void load(false));
  list.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target).closest('button[data-session-id]');
    if (target instanceof HTMLElement && target.dataset.sessionId) onOpen(target.dataset.sessionId);
  });

  return {
    load,
    /** @param {string | null} sessionId */
    setActive(sessionId) {
      active = sessionId;
      markActive();
    },
  };
}
