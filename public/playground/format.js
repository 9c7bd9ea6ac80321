// Pure helpers of the playground page (no DOM): formatting numbers, reading API answers, the stream's ending.

/** The events after which the server closes the stream: the page closes its EventSource on them. */
export const FINAL_EVENTS = ['comparison_complete', 'comparison_error'];

/** Session statuses in which a comparison may still send events. */
export const RUNNING_STATUSES = ['pending', 'in_progress'];

/**
 * US dollars with enough decimals to show small per-request costs: $1.23, $0.0123, $0.000042.
 * @param {number | null | undefined} cost
 * @returns {string}
 */
export function formatCost(cost) {
  if (typeof cost !== 'number' || !Number.isFinite(cost)) return '—';
  if (cost === 0) return '$0.00';
  if (Math.abs(cost) >= 1) {
    return `$${cost.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
  }
  // Three significant digits, however many zeros come first; trailing zeros trimmed down to cents.
  const decimals = Math.min(12, Math.max(2, Math.ceil(-Math.log10(Math.abs(cost))) + 2));
  const text = cost.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1');
  return `$${text}`;
}

/**
 * @param {number | null | undefined} ms
 * @returns {string}
 */
export function formatDuration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/**
 * @param {number | null | undefined} n
 * @returns {string}
 */
export function formatTokens(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/**
 * "just now", "5 min ago", "3 h ago", then the local date.
 * @param {string | undefined} iso
 * @param {number} [now]
 * @returns {string}
 */
export function formatWhen(iso, now = Date.now()) {
  const at = iso ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(at)) return '';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(at).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

/**
 * @param {string} text
 * @param {number} max
 * @returns {string}
 */
export function truncate(text, max) {
  const flat = String(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The model ids of a `POST /comparison` answer, whether `models` lists ids or model objects.
 * @param {unknown} models
 * @returns {string[]}
 */
export function modelIdsOf(models) {
  if (!Array.isArray(models)) return [];
  /** @type {string[]} */
  const ids = [];
  for (const m of models) {
    if (typeof m === 'string') ids.push(m);
    else if (m && typeof m === 'object') {
      const id = /** @type {{ id?: unknown, modelId?: unknown }} */ (m).modelId ?? m.id;
      if (typeof id === 'string') ids.push(id);
    }
  }
  return ids;
}

/**
 * The stream's URL is a path on this server: resolve it against the page's origin, and refuse another origin.
 * @param {string} streamUrl
 * @param {string} origin
 * @returns {string}
 */
export function resolveStreamUrl(streamUrl, origin) {
  const url = new URL(streamUrl, origin);
  if (url.origin !== new URL(origin).origin) throw new Error('The stream URL points to another origin');
  return url.href;
}

/**
 * The summary line of a finished comparison.
 * @param {{ totalTokens?: number, totalCost?: number, averageResponseTime?: number } | undefined} metrics
 * @returns {string}
 */
export function summaryText(metrics) {
  const m = metrics ?? {};
  return [
    `${formatTokens(m.totalTokens)} tokens`,
    `total cost ${formatCost(m.totalCost)}`,
    `average response time ${formatDuration(m.averageResponseTime)}`,
  ].join(' · ');
}

/**
 * The text of an error envelope (or any failed answer), for the notice line.
 * @param {number} status
 * @param {unknown} body
 * @returns {string}
 */
export function errorMessage(status, body) {
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    return status === 401 ? `${body.message} (check the token)` : body.message;
  }
  if (status === 401) return 'The token was refused (check the token)';
  return `The server answered ${status}`;
}

/**
 * Whether a paged list has more after this page, from its X-Total-Count header.
 * @param {string | null} totalHeader
 * @param {number} loaded
 * @returns {boolean}
 */
export function hasMore(totalHeader, loaded) {
  const total = Number(totalHeader);
  return Number.isFinite(total) && totalHeader !== null && total > loaded;
}

/**
 * A model is labelled simulated when it comes from the built-in demo provider.
 * @param {{ id?: string, provider?: string, simulated?: boolean }} model
 * @returns {boolean}
 */
export function isSimulated(model) {
  return model.simulated === true || model.provider === 'demo' || String(model.id ?? '').startsWith('demo-');
}

/**
 * The name to show beside a "simulated" badge: without a "(simulated)" the catalogue may already carry.
 * @param {{ id: string, name?: string, provider?: string, simulated?: boolean }} model
 * @returns {string}
 */
export function displayName(model) {
  const name = model.name || model.id;
  return isSimulated(model) ? name.replace(/\s*\(simulated\)\s*$/i, '') : name;
}

/**
 * Prices per million tokens, as a short line.
 * @param {{ inputPerMillion?: number, outputPerMillion?: number } | null | undefined} pricing
 * @returns {string}
 */
export function formatPricing(pricing) {
  if (pricing === null) return 'price unknown';
  if (!pricing) return '';
  const { inputPerMillion: input, outputPerMillion: output } = pricing;
  if (input === 0 && output === 0) return 'free';
  return `$${input} in · $${output} out per 1M tokens`;
}

/**
 * "1 model", "3 models"; nothing for none.
 * @param {number} n
 * @param {string} noun
 * @returns {string}
 */
export function plural(n, noun) {
  return n > 0 ? `${n} ${noun}${n === 1 ? '' : 's'}` : '';
}

/**
 * Models grouped by their endpoint (`endpoint: { id, name }`), groups in order of first appearance.
 * @template {{ id: string, provider?: string, endpoint?: { id: string, name: string } }} M
 * @param {M[]} models
 * @returns {Array<{ id: string, name: string, models: M[] }>}
 */
export function groupByEndpoint(models) {
  /** @type {Map<string, { id: string, name: string, models: M[] }>} */
  const groups = new Map();
  for (const model of models) {
    const id = model.endpoint?.id ?? model.provider ?? 'other';
    let group = groups.get(id);
    if (!group) {
      group = { id, name: model.endpoint?.name || id, models: [] };
      groups.set(id, group);
    }
    group.models.push(model);
  }
  return [...groups.values()];
}

/**
 * A cost that may be unknown: `null` is "unknown" (never $0), a missing figure a dash.
 * @param {number | null | undefined} cost
 * @param {string | null | undefined} [costSource]
 * @returns {string}
 */
export function formatKnownCost(cost, costSource) {
  if (cost === null || costSource === 'unknown') return 'unknown';
  return formatCost(cost);
}

/** Where a response's cost came from, as a short label. */
export const COST_SOURCE_LABELS = {
  provider: 'provider',
  computed: 'computed',
  estimated: 'estimated',
  free: 'free',
  unknown: 'unknown',
};

/**
 * The estimate line under the Run button, from POST /comparison/estimate's totals.
 * @param {{ totals?: { minCost?: number | null, maxCost?: number | null }, models?: unknown[] } | null | undefined} estimate
 * @returns {string}
 */
export function estimateText(estimate) {
  const totals = estimate?.totals;
  if (!totals) return '';
  const { minCost, maxCost } = totals;
  const n = Array.isArray(estimate?.models) ? estimate.models.length : 0;
  const lead = `Estimated cost${n > 0 ? ` for ${plural(n, 'model')}` : ''}: `;
  if (typeof minCost !== 'number') return `${lead}unknown`;
  if (typeof maxCost !== 'number') return `${lead}at least ${formatCost(minCost)} (a price is unknown)`;
  if (formatCost(minCost) === formatCost(maxCost)) return `${lead}${formatCost(maxCost)}`;
  return `${lead}${formatCost(minCost)} – ${formatCost(maxCost)}`;
}

/**
 * One budget period of GET /me/usage, or '' when it has no limit.
 * @param {string} label "Today", "This month"
 * @param {{ spent: number, reserved?: number, limit: number | null, remaining: number | null } | undefined} period
 * @returns {string}
 */
export function usageText(label, period) {
  if (!period || typeof period.limit !== 'number') return '';
  const reserved = period.reserved ? ` (+${formatCost(period.reserved)} reserved)` : '';
  return `${label}: ${formatCost(period.spent)}${reserved} of ${formatCost(period.limit)}, ${formatCost(period.remaining ?? 0)} left`;
}

/**
 * A blind session names its models by slot until the reveal: "A", "B", ...
 * @param {string} id
 * @returns {boolean}
 */
export function isSlot(id) {
  return /^[A-Z]$/.test(id);
}

/**
 * The file name of a download, from its Content-Disposition header, else a fallback.
 * @param {string | null} header
 * @param {string} fallback
 * @returns {string}
 */
export function filenameFromDisposition(header, fallback) {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // a malformed escape: try the plain parameter
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  const name = (plain?.[2] ?? plain?.[1] ?? '').trim();
  return name.replace(/[\\/]/g, '_') || fallback;
}

/**
 * The horizontal scale of the leaderboard chart: every interval fits, with a little margin.
 * @param {Array<{ rating: number, ci95: [number, number] }>} rows
 * @param {number} width pixels for the plot
 * @returns {{ min: number, max: number, x: (value: number) => number, ticks: number[] }}
 */
export function ratingScale(rows, width) {
  const values = rows.flatMap((r) => [r.rating, ...r.ci95]).filter(Number.isFinite);
  let min = values.length ? Math.min(...values) : 900;
  let max = values.length ? Math.max(...values) : 1100;
  if (max - min < 50) {
    const mid = (max + min) / 2;
    min = mid - 25;
    max = mid + 25;
  }
  const step = [10, 25, 50, 100, 200, 500].find((s) => (max - min) / s <= 6) ?? 1000;
  min = Math.floor(min / step) * step;
  max = Math.ceil(max / step) * step;
  const ticks = [];
  for (let t = min; t <= max; t += step) ticks.push(t);
  return { min, max, ticks, x: (value) => ((value - min) / (max - min)) * width };
}
