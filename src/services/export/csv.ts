// The CSV export: one row per model response, RFC 4180 quoting, cells neutralised against formula injection.
import { plainNumber } from './figures.js';
import type { SessionView } from './session-view.js';

/**
 * The contract's columns in its order, then the error and the prompt, so that a row stands alone
 * when rows of several files are pasted together.
 */
export const csvColumns = [
  'model',
  'provider',
  'status',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'cost_source',
  'time_to_first_token_ms',
  'total_time_ms',
  'answer',
  'error',
  'prompt',
] as const;

/**
 * A spreadsheet runs a cell that begins with one of these as a formula (OWASP "CSV Injection"):
 * such a cell gets a leading single quote, which the spreadsheet shows as text.
 */
const formulaStart = /^[=+\-@\t\r]/;

export function neutralise(cell: string): string {
  return formulaStart.test(cell) ? `'${cell}` : cell;
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

const cell = (value: string | null | undefined) => quote(neutralise(value ?? ''));

/**
 * The file's text: a UTF-8 byte order mark (without it Excel reads UTF-8 as a legacy code page and
 * garbles every non-ASCII answer), a header row, then CRLF-terminated records as RFC 4180 has them.
 */
export function toCsv(session: SessionView): string {
  const rows = session.responses.map((r) =>
    [
      r.modelId,
      r.provider,
      r.status,
      plainNumber(r.inputTokens),
      plainNumber(r.outputTokens),
      plainNumber(r.cost),
      r.costSource,
      plainNumber(r.timeToFirstTokenMs),
      plainNumber(r.responseTimeMs),
      r.response,
      r.errorMessage,
      session.prompt,
    ]
      .map(cell)
      .join(','),
  );
  return `\uFEFF${[csvColumns.join(','), ...rows].join('\r\n')}\r\n`;
}
