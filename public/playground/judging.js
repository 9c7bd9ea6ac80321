// Judging a finished comparison: one button per completed answer, "Tie", "All bad", a reason; the reveal.
import { el } from './columns.js';

export const MAX_REASON_CHARS = 2000;

/**
 * @param {{ box: HTMLElement, api: ReturnType<typeof import('./api.js').createApi>,
 *   onVoted: (sessionId: string, reveal: Array<{ slot: string, modelId: string, provider: string, name: string }> | null) => void }} options
 */
export function createJudging({ box, api, onVoted }) {
  /** @type {string | null} */
  let sessionId = null;

  const status = el('p', { class: 'vote-status', role: 'status', 'aria-live': 'polite' });
  const reason = /** @type {HTMLTextAreaElement} */ (
    el('textarea', {
      id: 'vote-reason',
      rows: 2,
      maxlength: MAX_REASON_CHARS,
      placeholder: 'Why? (optional)',
      'aria-label': 'Reason for the vote (optional)',
    })
  );
  const buttons = el('div', { class: 'vote-buttons' });
  box.replaceChildren(
    el('div', { class: 'vote-head' }, el('h3', { class: 'vote-title' }, 'Which answer is best?'), status),
    buttons,
    reason,
  );

  /** @param {string} text @param {string} [kind] */
  const say = (text, kind = 'info') => {
    status.textContent = text;
    status.dataset.kind = kind;
  };

  /** @param {boolean} disabled */
  const setDisabled = (disabled) => {
    for (const b of buttons.querySelectorAll('button')) b.toggleAttribute('disabled', disabled);
  };

  /** @param {string} choice */
  async function vote(choice) {
    if (!sessionId) return;
    const id = sessionId;
    setDisabled(true);
    say('Sending your vote…');
    /** @type {Record<string, string>} */
    const body = { choice };
    if (reason.value.trim()) body.reason = reason.value.slice(0, MAX_REASON_CHARS);
    try {
      const { data } = await api(`/comparison/${encodeURIComponent(id)}/vote`, { method: 'POST', body });
      for (const b of buttons.querySelectorAll('button')) {
        const button = /** @type {HTMLButtonElement} */ (b);
        if (button.dataset.choice === choice) button.setAttribute('aria-pressed', 'true');
        else button.removeAttribute('aria-pressed');
      }
      box.dataset.voted = choice;
      say(Array.isArray(data?.reveal) ? 'Vote recorded: the models are revealed.' : 'Vote recorded.', 'ok');
      onVoted(id, Array.isArray(data?.reveal) ? data.reveal : null);
      // A named session may be re-voted (the last vote counts); a blind one takes one vote.
      if (!Array.isArray(data?.reveal)) setDisabled(false);
    } catch (err) {
      setDisabled(false);
      const missing = /** @type {any} */ (err).status === 404 && /not found|route/i.test(err.message);
      say(missing ? 'Voting is not available on this server yet.' : err.message, 'error');
    }
  }

  buttons.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target).closest('button[data-choice]');
    if (target instanceof HTMLElement && target.dataset.choice) void vote(target.dataset.choice);
  });

  return {
    /**
     * Offers the vote for an ended session; `answers` are its completed models, in column order.
     * @param {string} id
     * @param {Array<{ modelId: string, label: string }>} answers
     * @param {{ blind: boolean }} options
     */
    offer(id, answers, { blind }) {
      sessionId = id;
      delete box.dataset.voted;
      box.dataset.blind = String(blind);
      say(blind ? 'Blind: the names appear after your vote.' : '');
      reason.value = '';
      const choices = answers.map((a) =>
        el('button', { type: 'button', class: 'vote', 'data-choice': a.modelId }, `${a.label} is best`),
      );
      if (answers.length >= 2)
        choices.push(el('button', { type: 'button', class: 'vote', 'data-choice': 'tie' }, 'Tie'));
      choices.push(el('button', { type: 'button', class: 'vote bad', 'data-choice': 'all_bad' }, 'All bad'));
      buttons.replaceChildren(...choices);
      box.hidden = answers.length === 0;
    },
    hide() {
      sessionId = null;
      box.hidden = true;
    },
  };
}
