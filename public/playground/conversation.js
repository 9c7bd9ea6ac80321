// Conversations (the thread, follow-up turns), share links and export downloads of the comparison on screen.
import { download } from './api.js';
import { el } from './columns.js';
import { filenameFromDisposition, truncate } from './format.js';

/**
 * @param {{ thread: HTMLElement, followUp: HTMLFormElement, tools: HTMLElement,
 *   api: ReturnType<typeof import('./api.js').createApi>, getToken: () => string,
 *   onOpen: (sessionId: string) => void,
 *   onStarted: (created: any, modelIds: string[] | undefined) => void,
 *   say: (text: string, kind?: 'info' | 'error') => void }} options
 */
export function createConversation({ thread, followUp, tools, api, getToken, onOpen, onStarted, say }) {
  /** @type {string | null} */
  let sessionId = null;
  const input = /** @type {HTMLTextAreaElement} */ (followUp.querySelector('textarea'));
  const askAll = /** @type {HTMLButtonElement} */ (followUp.querySelector('button[type="submit"]'));

  const shareBox = el('div', { class: 'share-box', hidden: true });
  const shareUrl = /** @type {HTMLInputElement} */ (
    el('input', { type: 'text', readonly: true, class: 'share-url', 'aria-label': 'Share link' })
  );
  const copy = el('button', { type: 'button', class: 'small', 'data-action': 'copy' }, 'Copy');
  const revoke = el('button', { type: 'button', class: 'ghost small', 'data-action': 'revoke' }, 'Revoke');
  shareBox.append(shareUrl, copy, revoke);
  const shareButton = el('button', { type: 'button', class: 'small', 'data-action': 'share' }, 'Share');
  const exports = ['json', 'csv', 'md'].map((format) =>
    el('button', { type: 'button', class: 'ghost small', 'data-export': format }, format.toUpperCase()),
  );
  tools.replaceChildren(
    el('div', { class: 'tool-group' }, shareButton, shareBox),
    el('div', { class: 'tool-group' }, el('span', { class: 'muted small-label' }, 'Export'), ...exports),
  );

  const path = (suffix = '') => `/comparison/${encodeURIComponent(sessionId ?? '')}${suffix}`;

  async function share() {
    try {
      const { data } = await api(path('/share'), { method: 'POST' });
      shareUrl.value = new URL(data.url, window.location.origin).href;
      shareBox.hidden = false;
      shareButton.hidden = true;
      say('Anyone with the link can read this comparison.');
    } catch (err) {
      say(err.message, 'error');
    }
  }

  async function unshare() {
    try {
      await api(path('/share'), { method: 'DELETE' });
      shareBox.hidden = true;
      shareButton.hidden = false;
      shareUrl.value = '';
      say('The share link is revoked: it now answers 404.');
    } catch (err) {
      say(err.message, 'error');
    }
  }

  /** @param {string} format */
  async function exportAs(format) {
    try {
      await download(getToken, path(`/export?format=${format}`), (header) =>
        filenameFromDisposition(header, `comparison-${sessionId}.${format}`),
      );
    } catch (err) {
      say(err.message, 'error');
    }
  }

  /** @param {string[] | undefined} modelIds */
  async function ask(modelIds) {
    const prompt = input.value;
    if (!sessionId || !prompt.trim()) return say('Write a follow-up first.', 'error');
    /** @type {Record<string, unknown>} */
    const body = { prompt };
    if (modelIds) body.modelIds = modelIds;
    askAll.disabled = true;
    try {
      const { data } = await api(path('/continue'), { method: 'POST', body });
      input.value = '';
      onStarted(data, modelIds);
    } catch (err) {
      say(err.message, 'error');
    } finally {
      askAll.disabled = false;
    }
  }

  followUp.addEventListener('submit', (event) => {
    event.preventDefault();
    void ask(undefined);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) followUp.requestSubmit();
  });
  tools.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target).closest('button');
    if (!(target instanceof HTMLElement)) return;
    if (target.dataset.action === 'share') void share();
    else if (target.dataset.action === 'revoke') void unshare();
    else if (target.dataset.action === 'copy') {
      shareUrl.select();
      void navigator.clipboard?.writeText(shareUrl.value).then(
        () => say('Link copied.'),
        () => say('Select the link and copy it.'),
      );
    } else if (target.dataset.export) void exportAs(target.dataset.export);
  });
  thread.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target).closest('button[data-session-id]');
    if (target instanceof HTMLElement && target.dataset.sessionId && target.dataset.sessionId !== sessionId)
      onOpen(target.dataset.sessionId);
  });

  return {
    ask,
    /**
     * The session on screen: its thread above the columns; the follow-up and tools once it has ended.
     * @param {string | null} id
     * @param {{ thread?: Array<{ id: string, prompt: string, turn: number, status: string }>, ended: boolean }} info
     */
    show(id, { thread: turns = [], ended }) {
      if (id !== sessionId) {
        shareBox.hidden = true;
        shareButton.hidden = false;
      }
      sessionId = id;
      thread.hidden = turns.length < 2;
      thread.replaceChildren(
        ...turns.map((t) =>
          el(
            'li',
            {},
            el(
              'button',
              {
                type: 'button',
                class: 'thread-turn',
                'data-session-id': t.id,
                'aria-current': t.id === id ? 'true' : undefined,
              },
              el('span', { class: 'turn-number' }, `Turn ${t.turn}`),
              el('span', { class: 'turn-prompt' }, truncate(t.prompt, 120)),
            ),
          ),
        ),
      );
      followUp.hidden = !id || !ended;
      tools.hidden = !id || !ended;
    },
  };
}
