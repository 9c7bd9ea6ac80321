// The response columns: one per model, built with DOM nodes and textContent only (model output is never HTML).
import { displayName, formatCost, formatDuration, formatTokens, isSimulated } from './format.js';

/**
 * A small element builder. Children are nodes or strings (strings become text nodes, never markup).
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined | null>} [attrs]
 * @param {...(Node | string | null | undefined)} children
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const STATUS_LABELS = {
  pending: 'waiting',
  streaming: 'streaming',
  completed: 'done',
  error: 'error',
  cancelled: 'cancelled',
};

/**
 * @typedef {{ id: string, name?: string, provider?: string, simulated?: boolean }} ModelInfo
 * @typedef {{ inputTokens?: number | null, outputTokens?: number | null, cost?: number | null,
 *   timeToFirstTokenMs?: number | null, responseTimeMs?: number | null }} ResponseMetrics
 */

export class Column {
  /**
   * @param {string} modelId
   * @param {ModelInfo | undefined} model
   * @param {string | undefined} provider
   */
  constructor(modelId, model, provider) {
    this.modelId = modelId;
    this.status = 'pending';
    const providerName = model?.provider ?? provider ?? '';
    const info = { ...model, id: modelId, provider: providerName };
    const simulated = isSimulated(info);
    this.statusBadge = el('span', { class: 'status', 'data-status': 'pending' }, STATUS_LABELS.pending);
    this.text = document.createTextNode('');
    this.output = el(
      'div',
      {
        class: 'output',
        'data-role': 'output',
        tabindex: 0,
        'data-placeholder': 'Waiting for the first token…',
      },
      this.text,
    );
    this.error = el('p', { class: 'column-error', role: 'alert', hidden: true });
    this.metrics = el('dl', { class: 'metrics', 'data-pending': 'true' });
    this.root = el(
      'article',
      { class: 'column', 'data-model-id': modelId, 'data-status': 'pending' },
      el(
        'header',
        { class: 'column-head' },
        el(
          'div',
          { class: 'column-title' },
          el('h3', {}, displayName(info)),
          el(
            'p',
            { class: 'column-sub' },
            providerName,
            simulated ? el('span', { class: 'badge simulated' }, 'simulated') : null,
          ),
        ),
        this.statusBadge,
      ),
      this.output,
      this.error,
      this.metrics,
    );
    // Dashes until the model is done: the column keeps its layout when the figures arrive.
    this.showMetrics({});
    this.metrics.dataset.pending = 'true';
  }

  /**
   * Follows the text as it grows, unless the reader has scrolled up: measured before the change,
   * since scroll events arrive a frame late and would see the new height.
   * @param {() => void} change
   */
  keepFollowing(change) {
    const box = this.output;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    change();
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  /** @param {string} status */
  setStatus(status) {
    this.status = status;
    this.root.dataset.status = status;
    this.statusBadge.dataset.status = status;
    if (status !== 'pending' && status !== 'streaming') this.output.dataset.placeholder = 'No output.';
    this.statusBadge.textContent =
      STATUS_LABELS[/** @type {keyof typeof STATUS_LABELS} */ (status)] ?? status;
  }

  /** @param {string} chunk */
  append(chunk) {
    if (this.status === 'pending') this.setStatus('streaming');
    this.keepFollowing(() => this.text.appendData(chunk));
  }

  /** @param {string} text */
  setText(text) {
    this.text.data = text;
  }

  /** @param {string} message */
  showError(message) {
    this.keepFollowing(() => {
      this.error.textContent = message;
      this.error.hidden = false;
    });
  }

  /** @param {ResponseMetrics} m */
  showMetrics(m) {
    const rows = [
      ['Input tokens', formatTokens(m.inputTokens)],
      ['Output tokens', formatTokens(m.outputTokens)],
      ['Cost', formatCost(m.cost)],
      ['First token', formatDuration(m.timeToFirstTokenMs)],
      ['Total time', formatDuration(m.responseTimeMs)],
    ];
    this.metrics.replaceChildren(
      ...rows.map(([term, value]) => el('div', { class: 'metric' }, el('dt', {}, term), el('dd', {}, value))),
    );
    delete this.metrics.dataset.pending;
  }
}
