// The playground page's pure helpers: money, durations, API answers, and which events end the stream.
import { describe, expect, it } from 'vitest';
import {
  COST_SOURCE_LABELS,
  displayName,
  errorMessage,
  estimateText,
  FINAL_EVENTS,
  filenameFromDisposition,
  formatCost,
  formatDuration,
  formatKnownCost,
  formatPricing,
  formatTokens,
  formatWhen,
  groupByEndpoint,
  hasMore,
  isSimulated,
  isSlot,
  modelIdsOf,
  plural,
  ratingScale,
  resolveStreamUrl,
  summaryText,
  truncate,
  usageText,
} from '../../../public/playground/format.js';

describe('formatCost', () => {
  it('shows small costs with enough decimals to be non-zero', () => {
    expect(formatCost(0)).toBe('$0.00');
    expect(formatCost(0.000042)).toBe('$0.000042');
    expect(formatCost(0.0001234)).toBe('$0.000123');
    expect(formatCost(0.0123)).toBe('$0.0123');
    expect(formatCost(0.5)).toBe('$0.50');
    expect(formatCost(1.5)).toBe('$1.50');
    expect(formatCost(1234.56789)).toBe('$1,234.5679');
  });
  it('shows a dash when there is no figure', () => {
    expect(formatCost(null)).toBe('—');
    expect(formatCost(undefined)).toBe('—');
    expect(formatCost(Number.NaN)).toBe('—');
  });
});

describe('formatDuration and formatTokens', () => {
  it('uses ms below a second, seconds below a minute', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(412.4)).toBe('412 ms');
    expect(formatDuration(1530)).toBe('1.53 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(null)).toBe('—');
  });
  it('groups thousands', () => {
    expect(formatTokens(12345)).toBe('12,345');
    expect(formatTokens(null)).toBe('—');
  });
});

describe('formatWhen and truncate', () => {
  const now = Date.parse('2025-01-10T12:00:00Z');
  it('says how long ago, then the date', () => {
    expect(formatWhen('2025-01-10T11:59:50Z', now)).toBe('just now');
    expect(formatWhen('2025-01-10T11:55:00Z', now)).toBe('5 min ago');
    expect(formatWhen('2025-01-10T09:00:00Z', now)).toBe('3 h ago');
    expect(formatWhen('2025-01-01T09:00:00Z', now)).toBe('1 Jan 2025');
    expect(formatWhen(undefined, now)).toBe('');
  });
  it('counts things', () => {
    expect(plural(0, 'model')).toBe('');
    expect(plural(1, 'model')).toBe('1 model');
    expect(plural(3, 'model')).toBe('3 models');
  });
  it('flattens white space and cuts long text', () => {
    expect(truncate('  a\n\nb  ', 10)).toBe('a b');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('API answers', () => {
  it('reads model ids from ids or model objects', () => {
    expect(modelIdsOf(['demo-a', 'demo-b'])).toEqual(['demo-a', 'demo-b']);
    expect(modelIdsOf([{ id: 'demo-a' }, { modelId: 'demo-b' }, { other: 1 }])).toEqual(['demo-a', 'demo-b']);
    expect(modelIdsOf(undefined)).toEqual([]);
  });
  it('resolves the stream path against the page origin and refuses another origin', () => {
    expect(resolveStreamUrl('/comparison/abc/stream?ticket=st1.x.y', 'http://127.0.0.1:3001')).toBe(
      'http://127.0.0.1:3001/comparison/abc/stream?ticket=st1.x.y',
    );
    expect(() => resolveStreamUrl('https://evil.example/stream', 'http://127.0.0.1:3001')).toThrow();
  });
  it('takes the message of an error envelope', () => {
    expect(errorMessage(400, { statusCode: 400, message: 'body.prompt: too long' })).toBe(
      'body.prompt: too long',
    );
    expect(errorMessage(401, { message: 'Invalid or expired bearer token' })).toMatch(/check the token/);
    expect(errorMessage(502, null)).toBe('The server answered 502');
  });
  it('pages with X-Total-Count', () => {
    expect(hasMore('40', 15)).toBe(true);
    expect(hasMore('15', 15)).toBe(false);
    expect(hasMore(null, 15)).toBe(false);
  });
  it('labels demo models simulated', () => {
    expect(isSimulated({ id: 'demo-fast', provider: 'demo' })).toBe(true);
    expect(isSimulated({ id: 'gpt-4o-mini', provider: 'openai' })).toBe(false);
    expect(displayName({ id: 'demo-fast', name: 'Demo Fast (simulated)', provider: 'demo' })).toBe(
      'Demo Fast',
    );
    expect(displayName({ id: 'gpt-4o', name: 'GPT-4o', provider: 'openai' })).toBe('GPT-4o');
    expect(displayName({ id: 'x-model', provider: 'openai' })).toBe('x-model');
  });
  it('shows prices per million tokens, or free', () => {
    expect(formatPricing({ inputPerMillion: 0.15, outputPerMillion: 0.6 })).toBe(
      '$0.15 in · $0.6 out per 1M tokens',
    );
    expect(formatPricing({ inputPerMillion: 0, outputPerMillion: 0 })).toBe('free');
    expect(formatPricing(undefined)).toBe('');
    expect(formatPricing(null)).toBe('price unknown');
  });
  it('summarises a finished comparison and knows the final events', () => {
    expect(summaryText({ totalTokens: 1234, totalCost: 0.00042, averageResponseTime: 1530 })).toBe(
      '1,234 tokens · total cost $0.00042 · average response time 1.53 s',
    );
    expect(FINAL_EVENTS).toEqual(['comparison_complete', 'comparison_error']);
  });
});

describe('second-release helpers', () => {
  it('groups models by endpoint, in order of first appearance', () => {
    const models = [
      { id: 'gpt-4o', provider: 'openai', endpoint: { id: 'openai', name: 'OpenAI' } },
      { id: 'ollama/llama3.2', provider: 'ollama', endpoint: { id: 'ollama', name: 'Ollama here' } },
      { id: 'gpt-4o-mini', provider: 'openai', endpoint: { id: 'openai', name: 'OpenAI' } },
      { id: 'x', provider: 'other' },
    ];
    expect(groupByEndpoint(models).map((g) => [g.id, g.name, g.models.map((m) => m.id)])).toEqual([
      ['openai', 'OpenAI', ['gpt-4o', 'gpt-4o-mini']],
      ['ollama', 'Ollama here', ['ollama/llama3.2']],
      ['other', 'other', ['x']],
    ]);
  });
  it('says "price unknown" and "unknown", never $0, for a missing price', () => {
    expect(formatPricing(null)).toBe('price unknown');
    expect(formatKnownCost(null, 'unknown')).toBe('unknown');
    expect(formatKnownCost(0, 'free')).toBe('$0.00');
    expect(formatKnownCost(0.0123, 'computed')).toBe('$0.0123');
    expect(COST_SOURCE_LABELS.estimated).toBe('estimated');
  });
  it('writes the estimate line: a range, one figure, at least, or unknown', () => {
    const models = [{}, {}];
    expect(estimateText({ models, totals: { minCost: 0.00001, maxCost: 0.02 } })).toBe(
      'Estimated cost for 2 models: $0.00001 – $0.02',
    );
    expect(estimateText({ models: [{}], totals: { minCost: 0, maxCost: 0 } })).toBe(
      'Estimated cost for 1 model: $0.00',
    );
    expect(estimateText({ models, totals: { minCost: 0.001, maxCost: null } })).toBe(
      'Estimated cost for 2 models: at least $0.001 (a price is unknown)',
    );
    expect(estimateText({ models, totals: { minCost: null, maxCost: null } })).toBe(
      'Estimated cost for 2 models: unknown',
    );
    expect(estimateText(null)).toBe('');
  });
  it('shows a budget period only when it has a limit', () => {
    expect(usageText('Today', { spent: 0.5, reserved: 0, limit: 2, remaining: 1.5 })).toBe(
      'Today: $0.50 of $2.00, $1.50 left',
    );
    expect(usageText('Today', { spent: 0.5, reserved: 0.25, limit: 2, remaining: 1.25 })).toBe(
      'Today: $0.50 (+$0.25 reserved) of $2.00, $1.25 left',
    );
    expect(usageText('This month', { spent: 3, reserved: 0, limit: null, remaining: null })).toBe('');
  });
  it('knows blind slots and download names', () => {
    expect(isSlot('A')).toBe(true);
    expect(isSlot('gpt-4o')).toBe(false);
    expect(filenameFromDisposition('attachment; filename="my prompt.csv"', 'x.csv')).toBe('my prompt.csv');
    expect(filenameFromDisposition("attachment; filename*=UTF-8''caf%C3%A9.md", 'x.md')).toBe('café.md');
    expect(filenameFromDisposition('attachment; filename="../../etc.json"', 'x')).toBe('.._.._etc.json');
    expect(filenameFromDisposition(null, 'fallback.json')).toBe('fallback.json');
  });
  it('scales the leaderboard chart so every interval fits, on round ticks', () => {
    const scale = ratingScale(
      [
        { rating: 1040, ci95: [990, 1090] },
        { rating: 960, ci95: [910, 1010] },
      ],
      400,
    );
    expect(scale.min).toBeLessThanOrEqual(910);
    expect(scale.max).toBeGreaterThanOrEqual(1090);
    expect(scale.x(scale.min)).toBe(0);
    expect(scale.x(scale.max)).toBe(400);
    expect(scale.ticks[0]).toBe(scale.min);
    expect(scale.ticks.at(-1)).toBe(scale.max);
    expect(ratingScale([], 100).ticks.length).toBeGreaterThan(1);
  });
});
