// The Markdown export: a title, the prompt quoted, then each answer under its model's heading with its figures.
import { describe, expect, it } from 'vitest';
import { closeOpenFence, escapeInline, toMarkdown } from '../../../src/services/export/markdown.js';
import { sessionView } from './fixtures.js';

describe('toMarkdown', () => {
  it('has the prompt, then every answer under its model heading with a figures table', () => {
    const md = toMarkdown(sessionView({ prompt: 'Explain CSV quoting\nin two lines' }));
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# Explain CSV quoting',
      '## Prompt',
      '## gpt-4o-mini (openai)',
      '## claude-haiku-4-5 (anthropic)',
    ]);
    expect(md).toContain('## Prompt\n\n> Explain CSV quoting\n> in two lines\n');
    const first = md.slice(md.indexOf('## gpt-4o-mini'), md.indexOf('## claude-haiku-4-5'));
    expect(first).toContain(
      '| Status | Input tokens | Output tokens | Cost | Cost source | First token | Total time |',
    );
    expect(first).toContain('| completed | 12 | 340 | $0.0000123 | — | 312 ms | 2.10 s |');
    expect(first).toContain('\n\nFirst answer\n');
    const second = md.slice(md.indexOf('## claude-haiku-4-5'));
    expect(second).toContain('_No answer._');
    expect(second).toContain('> **Error:** Upstream failed');
    expect(md).toContain('- **Totals:** 352 tokens · $0.0000123 · average response time 2.10 s');
    expect(md.endsWith('\n')).toBe(true);
  });

  it('quotes the system prompt before the prompt when there is one', () => {
    const md = toMarkdown(sessionView({ system: 'Be brief.' }));
    expect(md.indexOf('## System prompt\n\n> Be brief.')).toBeGreaterThan(0);
    expect(md.indexOf('## System prompt')).toBeLessThan(md.indexOf('## Prompt'));
  });

  it('keeps markup in the title and the table from being read as Markdown', () => {
    expect(escapeInline('a | b *c* <d>')).toBe('a \\| b \\*c\\* \\<d\\>');
    const md = toMarkdown(sessionView({ prompt: '# not a | heading' }));
    expect(md.startsWith('# \\# not a \\| heading\n')).toBe(true);
  });

  it('closes a code fence that a cut-off answer left open', () => {
    expect(closeOpenFence('text\n```js\nconst a = 1;')).toBe('text\n```js\nconst a = 1;\n```');
    expect(closeOpenFence('```\ncode\n```\nafter')).toBe('```\ncode\n```\nafter');
    expect(closeOpenFence('~~~~\n```\nstill inside')).toBe('~~~~\n```\nstill inside\n~~~~');
  });
});
