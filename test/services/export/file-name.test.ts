// Download names from the prompt: safe characters, bounded, dated, and both forms of RFC 6266's header.
import { describe, expect, it } from 'vitest';
import { attachmentHeader, exportFileName } from '../../../src/services/export/file-name.js';
import { toJson } from '../../../src/services/export/json.js';
import { sessionView } from './fixtures.js';

describe('exportFileName', () => {
  const base = { id: '3f0c2a8e-1b2c-4d5e-8f90-123456789abc', createdAt: '2025-03-04T10:11:12.000Z' };

  it('takes the prompt words, the date and the start of the id', () => {
    expect(exportFileName({ ...base, prompt: 'Explain SSE, in "two" sentences!' }, 'csv')).toEqual({
      ascii: 'explain-sse-in-two-sentences-2025-03-04-3f0c2a8e.csv',
      unicode: 'explain-sse-in-two-sentences-2025-03-04-3f0c2a8e.csv',
    });
  });

  it('folds accents for the ASCII name and keeps other scripts in the UTF-8 one', () => {
    const name = exportFileName({ ...base, prompt: 'Café 東京 ../../etc/passwd' }, 'md');
    expect(name.ascii).toBe('cafe-etc-passwd-2025-03-04-3f0c2a8e.md');
    expect(name.unicode).toBe('café-東京-etc-passwd-2025-03-04-3f0c2a8e.md');
    expect(attachmentHeader(name)).toBe(
      `attachment; filename="cafe-etc-passwd-2025-03-04-3f0c2a8e.md"; filename*=UTF-8''${encodeURIComponent(name.unicode)}`,
    );
  });

  it('bounds the length and falls back to "comparison" when no word is left', () => {
    const long = exportFileName({ ...base, prompt: 'word '.repeat(100) }, 'json');
    expect(long.ascii.length).toBeLessThanOrEqual(48 + '-2025-03-04-3f0c2a8e.json'.length);
    expect(long.ascii.startsWith('word-word-')).toBe(true);
    expect(exportFileName({ ...base, prompt: '"*?<>|' }, 'csv').ascii).toBe(
      'comparison-2025-03-04-3f0c2a8e.csv',
    );
    expect(exportFileName({ ...base, prompt: '😀😀' }, 'csv').ascii).toBe(
      'comparison-2025-03-04-3f0c2a8e.csv',
    );
  });
});

describe('toJson', () => {
  it('is the view without its stream ticket', () => {
    const view = sessionView();
    const { streamUrl: _ticket, ...rest } = view;
    const parsed = JSON.parse(toJson(view));
    expect(parsed).toEqual(rest);
    expect(JSON.stringify(parsed)).not.toContain('ticket');
  });
});
