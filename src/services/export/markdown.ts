// The Markdown export: the prompt, then each answer under its model's heading with its figures.
import { formatCost, formatDuration, formatTokens } from './figures.js';
import type { ResponseView, SessionView } from './session-view.js';

/** Text that Markdown would otherwise read as markup (emphasis, links, HTML, headings, tables). */
export function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, '\\$&');
}

const tableCell = (text: string) => escapeInline(text).replace(/\r?\n/g, ' ');

/** Each line quoted: the prompt stays recognisable as the user's words, its own Markdown intact. */
function blockquote(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => (line.length > 0 ? `> ${line}` : '>'))
    .join('\n');
}

/**
 * An answer cut off inside a code fence (a cancelled or failed model) would swallow every heading
 * after it: such a fence is closed.
 */
export function closeOpenFence(text: string): string {
  let open: { char: string; length: number } | null = null;
  for (const line of text.split(/\r?\n/)) {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (!fence) continue;
    if (!open) open = { char: fence[0] ?? '`', length: fence.length };
    else if (fence[0] === open.char && fence.length >= open.length && line.trim() === fence) open = null;
  }
  return open ? `${text}\n${open.char.repeat(open.length)}` : text;
}

function figures(r: ResponseView): string {
  const head = [
    'Status',
    'Input tokens',
    'Output tokens',
    'Cost',
    'Cost source',
    'First token',
    'Total time',
  ];
  const row = [
    r.status,
    formatTokens(r.inputTokens),
    formatTokens(r.outputTokens),
    formatCost(r.cost),
    r.costSource ?? '—',
    formatDuration(r.timeToFirstTokenMs),
    formatDuration(r.responseTimeMs),
  ];
  return [head, head.map(() => '---'), row]
    .map((cells) => `| ${cells.map(tableCell).join(' | ')} |`)
    .join('\n');
}

function answer(r: ResponseView): string {
  const heading =
    r.provider === null
      ? escapeInline(r.modelId)
      : `${escapeInline(r.modelId)} (${escapeInline(r.provider)})`;
  const parts = [`## ${heading}`, figures(r)];
  if (r.response.trim().length > 0) parts.push(closeOpenFence(r.response.trimEnd()));
  else parts.push('_No answer._');
  if (r.errorMessage)
    parts.push(blockquote(`**${r.status === 'cancelled' ? 'Cancelled' : 'Error'}:** ${r.errorMessage}`));
  return parts.join('\n\n');
}

/** A heading from the prompt's first line, at most 80 characters. */
export function titleOf(prompt: string): string {
  const first = prompt.trim().split(/\r?\n/, 1)[0]?.trim() ?? '';
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
}

export function toMarkdown(session: SessionView): string {
  const m = session.metrics;
  const facts = [
    `- **Date:** ${session.createdAt}`,
    `- **Status:** ${session.status}`,
    `- **Models:** ${session.responses.map((r) => escapeInline(r.modelId)).join(', ')}`,
  ];
  if (m)
    facts.push(
      `- **Totals:** ${formatTokens(m.totalTokens)} tokens · ${formatCost(m.totalCost)} · average response time ${formatDuration(m.averageResponseTime)}`,
    );
  if (session.errorMessage) facts.push(`- **Error:** ${escapeInline(session.errorMessage)}`);
  const sections = [`# ${escapeInline(titleOf(session.prompt)) || 'Comparison'}`, facts.join('\n')];
  if (session.system) sections.push('## System prompt', blockquote(session.system));
  sections.push('## Prompt', blockquote(session.prompt));
  for (const r of session.responses) sections.push('---', answer(r));
  return `${sections.join('\n\n')}\n`;
}
