// The Leaderboard view: GET /leaderboard as a chart of ratings with 95% intervals (SVG built node by node) and a table.
import { el } from './columns.js';
import { formatTokens, plural, ratingScale } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const ROW = 30;
const LABEL = 200;
const PLOT = 460;
const TOP = 28;

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {...(Node | string)} children
 */
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

/** @param {number} n */
const weight = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * @typedef {{ modelId: string, name: string, provider: string, rating: number, ci95: [number, number],
 *   rank: number, wins: number, ties: number, losses: number, allBad: number, battles: number,
 *   provisional: boolean }} Row
 * @param {Row[]} rows
 */
export function ratingChart(rows) {
  const height = TOP + rows.length * ROW + 8;
  const width = LABEL + PLOT + 24;
  const scale = ratingScale(rows, PLOT);
  const x = (v) => LABEL + scale.x(v);
  const chart = svg('svg', {
    class: 'rating-chart',
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': 'Ratings with their 95% intervals',
  });
  for (const t of scale.ticks) {
    chart.append(
      svg('line', { class: 'grid', x1: x(t), x2: x(t), y1: TOP - 6, y2: height - 8 }),
      svg('text', { class: 'tick', x: x(t), y: TOP - 12, 'text-anchor': 'middle' }, String(t)),
    );
  }
  rows.forEach((row, i) => {
    const y = TOP + i * ROW + ROW / 2;
    const [low, high] = row.ci95;
    chart.append(
      svg(
        'g',
        { class: row.provisional ? 'model-row provisional' : 'model-row', 'data-model-id': row.modelId },
        svg(
          'text',
          { class: 'label', x: LABEL - 12, y: y + 4, 'text-anchor': 'end' },
          `${row.rank}. ${row.name || row.modelId}`,
        ),
        svg('line', { class: 'interval', x1: x(low), x2: x(high), y1: y, y2: y }),
        svg('line', { class: 'cap', x1: x(low), x2: x(low), y1: y - 5, y2: y + 5 }),
        svg('line', { class: 'cap', x1: x(high), x2: x(high), y1: y - 5, y2: y + 5 }),
        svg(
          'circle',
          { class: 'point', cx: x(row.rating), cy: y, r: 5 },
          svg('title', {}, `${Math.round(row.rating)} (${Math.round(low)}–${Math.round(high)})`),
        ),
      ),
    );
  });
  return chart;
}

/** @param {Row[]} rows */
function ratingTable(rows) {
  const head = ['Rank', 'Model', 'Rating', '95% interval', 'Wins', 'Ties', 'Losses', 'All bad', 'Battles'];
  return el(
    'table',
    { class: 'leaderboard-table' },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          { 'data-model-id': r.modelId },
          el('td', {}, String(r.rank)),
          el(
            'td',
            {},
            el('span', { class: 'model-name' }, r.name || r.modelId),
            el('span', { class: 'muted' }, ` ${r.provider}`),
            r.provisional ? el('span', { class: 'badge provisional' }, 'provisional') : '',
          ),
          el('td', { class: 'num' }, formatTokens(r.rating)),
          el('td', { class: 'num' }, `${formatTokens(r.ci95[0])} – ${formatTokens(r.ci95[1])}`),
          el('td', { class: 'num' }, weight(r.wins)),
          el('td', { class: 'num' }, weight(r.ties)),
          el('td', { class: 'num' }, weight(r.losses)),
          el('td', { class: 'num' }, weight(r.allBad)),
          el('td', { class: 'num' }, weight(r.battles)),
        ),
      ),
    ),
  );
}

/**
 * @param {{ root: HTMLElement, api: ReturnType<typeof import('./api.js').createApi> }} options
 */
export function createLeaderboard({ root, api }) {
  const query = { scope: 'me', mode: 'all' };
  const body = el('div', { class: 'leaderboard-body', 'data-role': 'leaderboard' });
  const meta = el('p', { class: 'muted leaderboard-meta' });
  /** @param {'scope' | 'mode'} key @param {Array<[string, string]>} options */
  const toggle = (key, options) =>
    el(
      'div',
      { class: 'segmented', role: 'group', 'data-key': key },
      ...options.map(([value, label]) =>
        el(
          'button',
          { type: 'button', 'data-value': value, 'aria-pressed': String(query[key] === value) },
          label,
        ),
      ),
    );
  root.replaceChildren(
    el(
      'div',
      { class: 'leaderboard-head' },
      el('h2', {}, 'Leaderboard'),
      toggle('scope', [
        ['me', 'My votes'],
        ['all', 'Everyone'],
      ]),
      toggle('mode', [
        ['all', 'All votes'],
        ['blind', 'Blind only'],
      ]),
    ),
    meta,
    body,
  );

  async function load() {
    body.dataset.state = 'loading';
    try {
      const { data } = await api(`/leaderboard?scope=${query.scope}&mode=${query.mode}`);
      const rows = Array.isArray(data?.models) ? data.models : [];
      meta.textContent = `${plural(data?.votes ?? 0, 'vote') || 'No votes'} · Bradley-Terry ratings (Elo scale) with 95% bootstrap intervals`;
      body.replaceChildren(
        rows.length === 0
          ? el(
              'p',
              { class: 'empty-state' },
              'No votes yet: run a comparison, then vote for the best answer.',
            )
          : el(
              'div',
              { class: 'leaderboard-grid' },
              el('div', { class: 'chart-box' }, ratingChart(rows)),
              ratingTable(rows),
            ),
      );
    } catch (err) {
      const missing = /** @type {any} */ (err).status === 404;
      meta.textContent = '';
      body.replaceChildren(
        el(
          'p',
          { class: 'error-text' },
          missing ? 'The leaderboard is not available on this server yet (GET /leaderboard).' : err.message,
        ),
      );
    } finally {
      body.dataset.state = 'ready';
    }
  }

  root.addEventListener('click', (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest('.segmented button');
    const group = button?.closest('.segmented');
    if (!(button instanceof HTMLElement) || !(group instanceof HTMLElement)) return;
    const key = /** @type {'scope' | 'mode'} */ (group.dataset.key);
    query[key] = button.dataset.value ?? query[key];
    for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === button));
    void load();
  });

  return { load };
}
