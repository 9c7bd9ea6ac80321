// User-safe upstream messages, retry-after parsing and quota detection.
import { describe, expect, it } from 'vitest';
import { isAnthropicQuotaError } from '../../src/providers/map-anthropic-error.js';
import { isOpenAIQuotaError } from '../../src/providers/map-openai-error.js';
import { retryAfterMs, retryAfterSeconds } from '../../src/providers/retry-veto-fetch.js';
import { safeUpstreamMessage } from '../../src/providers/safe-message.js';

describe('safeUpstreamMessage', () => {
  it('keeps the explanation and redacts anything key-like', () => {
    const text = `Incorrect API key provided: sk-proj-abc123DEF456. Bearer xyz.abc. token ${'a'.repeat(40)}`;
    const safe = safeUpstreamMessage(text);
    expect(safe).toContain('Incorrect API key provided');
    expect(safe).not.toMatch(/sk-proj|xyz\.abc|aaaaaaaa/);
  });

  it('redacts the configured key verbatim whatever its shape', () => {
    expect(safeUpstreamMessage('your key hunter2!! is wrong', ['hunter2!!'])).toBe(
      'your key [redacted] is wrong',
    );
  });

  it('bounds the length and ignores non-strings', () => {
    expect(safeUpstreamMessage('word '.repeat(200))?.length).toBeLessThanOrEqual(300);
    expect(safeUpstreamMessage(undefined)).toBeUndefined();
    expect(safeUpstreamMessage({ message: 'x' })).toBeUndefined();
  });
});

describe('retry-after', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }))).toBe(250);
    expect(retryAfterSeconds(new Headers({ 'retry-after': '0.2' }))).toBe(1);
    expect(retryAfterSeconds(new Headers({ 'retry-after': '7' }))).toBe(7);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterSeconds(new Headers({ 'retry-after': inTenSeconds }))).toBeGreaterThanOrEqual(9);
    expect(retryAfterSeconds(new Headers())).toBeUndefined();
    expect(retryAfterSeconds(undefined)).toBeUndefined();
  });
});

describe('quota detection', () => {
  it('recognises OpenAI insufficient_quota and nothing else', () => {
    expect(isOpenAIQuotaError({ code: 'insufficient_quota', type: 'insufficient_quota', message: 'x' })).toBe(
      true,
    );
    expect(
      isOpenAIQuotaError({ code: 'rate_limit_exceeded', type: 'requests', message: 'Rate limit reached' }),
    ).toBe(false);
    expect(isOpenAIQuotaError(undefined)).toBe(false);
  });

  it('recognises Anthropic billing errors and spend limits, not plain rate limits', () => {
    const body = (error: Record<string, unknown>) => ({ type: 'error', error });
    expect(isAnthropicQuotaError(body({ type: 'billing_error', message: 'x' }))).toBe(true);
    expect(
      isAnthropicQuotaError(
        body({
          type: 'rate_limit_error',
          message: 'x',
          details: { error_code: 'contract_spend_limit_reached' },
        }),
      ),
    ).toBe(true);
    expect(
      isAnthropicQuotaError(
        body({ type: 'invalid_request_error', message: 'Your credit balance is too low' }),
      ),
    ).toBe(true);
    expect(
      isAnthropicQuotaError(body({ type: 'rate_limit_error', message: 'Number of requests exceeded' })),
    ).toBe(false);
  });
});
