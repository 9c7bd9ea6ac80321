// Numbers as people read them in an export: tokens, US dollars, durations (the playground's formats).

const dash = '—';

export function formatTokens(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : dash;
}

/** Three significant digits for small per-request costs: $0.0123, $0.000042; cents from $1 up. */
export function formatCost(usd: number | null | undefined): string {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) return dash;
  if (usd === 0) return '$0.00';
  if (Math.abs(usd) >= 1)
    return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;
  const decimals = Math.min(12, Math.max(2, Math.ceil(-Math.log10(Math.abs(usd))) + 2));
  return `$${usd.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return dash;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A plain decimal for a spreadsheet cell: never an exponent (String(1e-7) is "1e-7"). */
export function plainNumber(n: number | null | undefined, maxDecimals = 10): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(maxDecimals).replace(/\.?0+$/, '');
}
