// The CSV export parsed back with csv-parse: RFC 4180 quoting holds and formula cells are neutralised.
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvColumns, neutralise, quote, toCsv } from '../../../src/services/export/csv.js';
import { hostileAnswer, hostilePrompt, sessionView } from './fixtures.js';

function parseCsv(text: string): Record<string, string>[] {
  return parse(text, { bom: true, columns: true, relax_quotes: false, skip_empty_lines: false });
}

describe('toCsv', () => {
  it('has a header row and one row per response, in the contract order', () => {
    const text = toCsv(sessionView());
    expect(
      text.startsWith('\uFEFFmodel,provider,status,input_tokens,output_tokens,cost_usd,cost_source,'),
    ).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0] ?? {})).toEqual([...csvColumns]);
    expect(rows[0]).toEqual({
      model: 'gpt-4o-mini',
      provider: 'openai',
      status: 'completed',
      input_tokens: '12',
      output_tokens: '340',
      cost_usd: '0.0000123',
      cost_source: '',
      time_to_first_token_ms: '312',
      total_time_ms: '2104',
      answer: 'First answer',
      error: '',
      prompt: 'Explain CSV quoting',
    });
    expect(rows[1]).toMatchObject({ status: 'error', time_to_first_token_ms: '', error: 'Upstream failed' });
  });

  it('neutralises a prompt and an answer that begin with =HYPERLINK and keeps commas, quotes and new lines', () => {
    const base = sessionView();
    const [first, second] = base.responses;
    if (!first || !second) throw new Error('fixture has two responses');
    const text = toCsv({
      ...base,
      prompt: hostilePrompt,
      responses: [{ ...first, response: hostileAnswer, costSource: 'estimated' }, second],
    });
    // Records end in CRLF; the line breaks inside the quoted cells are the texts' own.
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.answer).toBe(`'${hostileAnswer}`);
    expect(rows[0]?.prompt).toBe(`'${hostilePrompt}`);
    expect(rows[0]?.cost_source).toBe('estimated');
    expect(rows[1]?.prompt).toBe(`'${hostilePrompt}`);
    // No cell of any row, header included, starts a formula.
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('neutralises every formula start OWASP lists, and nothing else', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(neutralise(`${start}1+1`)).toBe(`'${start}1+1`);
    expect(neutralise('1+1')).toBe('1+1');
    expect(neutralise(' =1')).toBe(' =1');
    expect(neutralise('')).toBe('');
  });

  it('quotes only what RFC 4180 needs quoted', () => {
    expect(quote('plain')).toBe('plain');
    expect(quote('a,b')).toBe('"a,b"');
    expect(quote('say "hi"')).toBe('"say ""hi"""');
    expect(quote('two\nlines')).toBe('"two\nlines"');
    expect(quote('cr\ronly')).toBe('"cr\ronly"');
  });

  it('writes numbers as plain decimals, never with an exponent', () => {
    const base = sessionView();
    const [first] = base.responses;
    if (!first) throw new Error('fixture has a response');
    const rows = parseCsv(toCsv({ ...base, responses: [{ ...first, cost: 1e-7 }] }));
    expect(rows[0]?.cost_usd).toBe('0.0000001');
  });
});
