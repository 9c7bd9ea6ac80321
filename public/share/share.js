// The shared comparison page: reads /shared/:id (no token) and lays the answers out side by side.
import { createMarkdownRenderer } from '/common/markdown.js';
import { formatCost, formatDuration, formatTokens, plural, summaryText } from '/playground/format.js';

/**
 * @typedef {{ modelId: string, provider: string, status: string, response: string,
 *   inputTokens: number | null, outputTokens: number | null, cost: number | null,
 *   costSource: string | null, timeToFirstTokenMs: number | null, responseTimeMs: number | null,
 *   tokensPerSecond: number | null, errorMessage: string | null }} SharedResponse
 * @typedef {{ prompt: string, system: string | null, status: string, errorMessage: string | null,
 *   responses: SharedResponse[], metrics: { totalTokens: number, totalCost: number,
 *   averageResponseTime: number } | null, createdAt: string, sharedAt: string }} SharedComparison
 */

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element;
}

/**
 * @param {string} tag
 * @param {string} [className]
 * @param {string} [text]
 */
function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The id from /s/<id>; empty when the path has none. */
function shareIdFromPath() {
  const [, prefix, id] = location.pathname.split('/');
  return prefix === 's' && id ? decodeURIComponent(id) : '';
}

/** @param {string | undefined} iso */
function formatDate(iso) {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(at)) return '';
  return new Date(at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * @param {SharedResponse} r
 * @returns {[string, string][]}
 */
function figuresOf(r) {
  const figures = /** @type {[string, string][]} */ ([
    ['Input tokens', formatTokens(r.inputTokens)],
    ['Output tokens', formatTokens(r.outputTokens)],
    ['Cost', formatCost(r.cost)],
    ['First token', formatDuration(r.timeToFirstTokenMs)],
    ['Total time', formatDuration(r.responseTimeMs)],
  ]);
  if (typeof r.tokensPerSecond === 'number') figures.push(['Tokens/s', r.tokensPerSecond.toFixed(1)]);
  if (r.costSource) figures.push(['Cost source', r.costSource]);
  return figures;
}

/**
 * @param {SharedResponse} r
 * @param {ReturnType<typeof createMarkdownRenderer>} markdown
 */
function column(r, markdown) {
  const article = el('article', 'column');
  article.dataset.modelId = r.modelId;
  article.dataset.status = r.status;

  const head = el('header', 'column-head');
  const title = el('div', 'column-title');
  title.append(el('h3', undefined, r.modelId), el('p', 'column-sub', r.provider));
  const status = el('span', 'status', r.status);
  status.dataset.status = r.status;
  head.append(title, status);

  const output = el('div', 'output markdown');
  output.dataset.role = 'output';
  output.dataset.placeholder = 'No answer';
  if (r.response) markdown.render(output, r.response);

  article.append(head, output);
  if (r.errorMessage) article.append(el('p', 'column-error', r.errorMessage));

  const metrics = el('dl', 'metrics');
  for (const [label, value] of figuresOf(r)) {
    const item = el('div', 'metric');
    item.append(el('dt', undefined, label), el('dd', undefined, value));
    metrics.append(item);
  }
  article.append(metrics);
  return article;
}

/**
 * @param {SharedComparison} shared
 */
function show(shared) {
  const markdown = createMarkdownRenderer();
  byId('prompt-text').textContent = shared.prompt;
  if (shared.system) {
    byId('system-text').textContent = shared.system;
    byId('system-details').hidden = false;
  }
  const status = byId('share-session-status');
  status.textContent = shared.status;
  status.dataset.status = shared.status;
  byId('share-meta').textContent = [
    plural(shared.responses.length, 'model'),
    `run ${formatDate(shared.createdAt)}`,
    `shared ${formatDate(shared.sharedAt)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  byId('share-prompt').hidden = false;

  const summary = byId('summary');
  if (shared.metrics) {
    // The playground's summary line: how it ended, then the totals.
    const ending = { completed: 'Complete', failed: 'Failed', cancelled: 'Cancelled' }[shared.status];
    summary.textContent = [ending, shared.errorMessage, summaryText(shared.metrics)]
      .filter(Boolean)
      .join(' · ');
    summary.dataset.kind =
      shared.status === 'completed' ? 'complete' : shared.status === 'failed' ? 'error' : 'cancelled';
    summary.hidden = false;
  }
  byId('columns').replaceChildren(...shared.responses.map((r) => column(r, markdown)));
  document.title = `${shared.prompt.slice(0, 60)} · Shared comparison`;
  byId('share-status').hidden = true;
}

/** @param {string} message */
function fail(message) {
  const status = byId('share-status');
  status.textContent = message;
  status.dataset.kind = 'error';
}

async function main() {
  const id = shareIdFromPath();
  if (!id) {
    fail('This link has no comparison id.');
    document.body.dataset.state = 'missing';
    return;
  }
  try {
    // No credentials: the link is the permission, and the page never holds a token.
    const res = await fetch(`/shared/${encodeURIComponent(id)}`, {
      credentials: 'omit',
      cache: 'no-store',
      headers: { accept: 'application/json' },
    });
    if (res.status === 404) {
      fail('This shared comparison does not exist, or its owner revoked the link.');
      document.body.dataset.state = 'missing';
      return;
    }
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    show(/** @type {SharedComparison} */ (await res.json()));
    document.body.dataset.state = 'ready';
  } catch (err) {
    fail(`The shared comparison could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
    document.body.dataset.state = 'error';
  }
}

void main();
