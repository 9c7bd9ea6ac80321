// The response columns: one per model; answers as sanitised Markdown, everything else as text nodes.
import {
  COST_SOURCE_LABELS,
  displayName,
  formatDuration,
  formatKnownCost,
  formatTokens,
  isSimulated,
} from './format.js';
import { throttledRenderer } from './markdown.js';

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
    this.raw = '';
    this.reasoningRaw = '';
    this.statusBadge = el('span', { class: 'status', 'data-status': 'pending' }, STATUS_LABELS.pending);
    this.title = el('h3', {});
    this.sub = el('p', { class: 'column-sub' });
    this.setIdentity(modelId, model, provider);
    this.output = el('div', {
      class: 'output markdown',
      'data-role': 'output',
      tabindex: 0,
      'data-placeholder': 'Waiting for the first token…',
    });
    this.reasoningText = el('div', { class: 'reasoning-text', 'data-role': 'reasoning' });
    this.reasoningSummary = el('summary', {}, 'Reasoning');
    this.reasoning = /** @type {HTMLDetailsElement} */ (
      el(
        'details',
        { class: 'reasoning', open: true, hidden: true },
        this.reasoningSummary,
        this.reasoningText,
      )
    );
    // The answer's scroll box holds the reasoning too, so both follow the stream together.
    this.body = el('div', { class: 'column-body' }, this.reasoning, this.output);
    this.renderer = throttledRenderer(this.output, () => this.follow());
    this.error = el('p', { class: 'column-error', role: 'alert', hidden: true });
    this.note = el('p', { class: 'column-note', 'data-role': 'cut-off', hidden: true });
    this.metrics = el('dl', { class: 'metrics', 'data-pending': 'true' });
    this.continueButton = el(
      'button',
      {
        type: 'button',
        class: 'ghost small',
        'data-action': 'continue',
        'data-model-id': modelId,
        hidden: true,
      },
      'Continue with this model',
    );
    this.root = el(
      'article',
      { class: 'column', 'data-model-id': modelId, 'data-status': 'pending' },
      el(
        'header',
        { class: 'column-head' },
        el('div', { class: 'column-title' }, this.title, this.sub),
        this.statusBadge,
      ),
      this.body,
      this.error,
      this.note,
      this.metrics,
      el('footer', { class: 'column-foot' }, this.continueButton),
    );
    this.atBottom = true;
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
    const box = this.body;
    this.atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    change();
    this.follow();
  }

  follow() {
    if (this.atBottom) this.body.scrollTop = this.body.scrollHeight;
  }

  /**
   * The title: a model's name, or its slot ("A") in a blind session until the reveal.
   * @param {string} modelId
   * @param {ModelInfo | undefined} model
   * @param {string | undefined} provider
   * @param {string} [slot] the slot it had before the reveal
   */
  setIdentity(modelId, model, provider, slot) {
    const providerName = model?.provider ?? provider ?? '';
    const info = { ...model, id: modelId, provider: providerName };
    this.modelId = modelId;
    this.root?.setAttribute('data-model-id', modelId);
    this.continueButton?.setAttribute('data-model-id', modelId);
    this.title.replaceChildren(displayName(info), slot ? el('span', { class: 'badge slot' }, slot) : '');
    this.sub.replaceChildren(
      /** @type {any} */ (model)?.endpoint?.name ?? providerName,
      isSimulated(info) ? el('span', { class: 'badge simulated' }, 'simulated') : '',
    );
  }

  /** @param {string} status */
  setStatus(status) {
    this.status = status;
    this.root.dataset.status = status;
    this.statusBadge.dataset.status = status;
    const ended = status !== 'pending' && status !== 'streaming';
    if (ended) {
      this.output.dataset.placeholder = 'No output.';
      this.renderer.now();
      // The reasoning folds away once the answer is done; a click opens it again.
      if (this.raw) this.reasoning.open = false;
    }
    this.continueButton.hidden = status !== 'completed';
    this.statusBadge.textContent =
      STATUS_LABELS[/** @type {keyof typeof STATUS_LABELS} */ (status)] ?? status;
  }

  /** @param {string} chunk */
  append(chunk) {
    if (this.status === 'pending') this.setStatus('streaming');
    const box = this.body;
    this.atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    this.raw += chunk;
    this.renderer.set(this.raw);
  }

  /** @param {string} chunk a piece of the model's reasoning, shown above its answer */
  appendReasoning(chunk) {
    if (this.status === 'pending') this.setStatus('streaming');
    this.keepFollowing(() => {
      this.reasoningRaw += chunk;
      this.reasoningText.textContent = this.reasoningRaw;
      this.reasoning.hidden = false;
    });
  }

  /** @param {string} text @param {string} [reasoning] */
  setText(text, reasoning = '') {
    this.raw = text;
    this.renderer.set(text);
    this.renderer.now();
    this.reasoningRaw = reasoning;
    this.reasoningText.textContent = reasoning;
    this.reasoning.hidden = reasoning === '';
    this.reasoning.open = false;
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
    const source = m.costSource
      ? COST_SOURCE_LABELS[/** @type {keyof typeof COST_SOURCE_LABELS} */ (m.costSource)]
      : '';
    const costValue = el(
      'dd',
      {},
      m.cost === undefined && !m.costSource ? '—' : formatKnownCost(m.cost, m.costSource),
      source
        ? el(
            'span',
            { class: 'cost-source', 'data-source': m.costSource, title: 'Where the cost comes from' },
            source,
          )
        : '',
    );
    const rows = [
      ['Input tokens', el('dd', {}, formatTokens(m.inputTokens))],
      ['Output tokens', el('dd', {}, formatTokens(m.outputTokens))],
      ['Cost', costValue],
      ['First token', el('dd', {}, formatDuration(m.timeToFirstTokenMs))],
      ['Total time', el('dd', {}, formatDuration(m.responseTimeMs))],
    ];
    this.metrics.replaceChildren(
      ...rows.map(([term, value]) =>
        el('div', { class: 'metric' }, el('dt', {}, /** @type {string} */ (term)), value),
      ),
    );
    delete this.metrics.dataset.pending;
    this.note.hidden = m.finishReason !== 'length';
    this.note.textContent = m.finishReason === 'length' ? 'Cut off at the token limit.' : '';
  }
}
