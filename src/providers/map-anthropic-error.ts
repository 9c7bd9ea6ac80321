// Pure mapping from the @anthropic-ai/sdk error hierarchy to ProviderError kinds with user-safe messages.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  PermissionDeniedError,
} from '@anthropic-ai/sdk';
import type { EndpointRef } from './map-openai-error.js';
import { retryAfterSeconds } from './retry-veto-fetch.js';
import { isRecord, safeUpstreamMessage, withDetail } from './safe-message.js';
import { ProviderError } from './types.js';

const ANTHROPIC: EndpointRef = { id: 'anthropic', name: 'Anthropic' };

const SPEND_LIMIT_CODES = new Set([
  'contract_spend_limit_reached',
  'enforced_spend_limit_reached',
  'linked_organization_spend_limit_reached',
  'linked_organization_billing_unavailable',
]);

/** The `error` object of an Anthropic error body `{ type: 'error', error: { type, message, details? } }`. */
function innerError(body: unknown): Record<string, unknown> | undefined {
  return isRecord(body) && isRecord(body.error) ? body.error : undefined;
}

/**
 * True when an Anthropic error body says the spend limit or credit is used up: a 429 (or 400) that
 * no retry can fix.
 */
export function isAnthropicQuotaError(body: unknown): boolean {
  const error = innerError(body);
  if (!error) return false;
  if (error.type === 'billing_error') return true;
  const code = isRecord(error.details) ? error.details.error_code : undefined;
  if (typeof code === 'string' && SPEND_LIMIT_CODES.has(code)) return true;
  return typeof error.message === 'string' && /spend limit|credit balance|billing/i.test(error.message);
}

/** The error kind and a message safe to show a user; `apiKey` is redacted from any upstream text. */
export function mapAnthropicError(err: unknown, endpoint: EndpointRef = ANTHROPIC): ProviderError {
  const fail = (kind: ProviderError['kind'], message: string, status?: number, retryAfter?: number) =>
    new ProviderError(kind, message, endpoint.id, status, retryAfter);
  const name = endpoint.name;
  const apiKey = endpoint.apiKey ?? '';

  if (err instanceof ProviderError) return err;
  if (err instanceof APIUserAbortError) return fail('cancelled', 'cancelled');
  if (err instanceof APIConnectionTimeoutError) return fail('timeout', `${name} did not answer in time`);
  if (err instanceof APIConnectionError)
    return fail('network', `Could not reach ${name} (connection failed)`);
  // A body that is not the JSON it should be; anything else thrown while reading is a broken connection.
  if (err instanceof SyntaxError) return fail('upstream', `${name} sent a response we could not read`);
  if (!(err instanceof APIError)) return fail('network', `The connection to ${name} was lost mid-answer`);

  const status = err.status;
  const detail = safeUpstreamMessage(innerError(err.error)?.message, [apiKey]);
  // Never echo the upstream text for credential errors.
  if (err instanceof AuthenticationError)
    return fail('authentication', `${name} rejected the API key (401)`, 401);
  if (err instanceof PermissionDeniedError)
    return fail('authentication', `${name} refused access with this API key (403)`, 403);
  if (isAnthropicQuotaError(err.error))
    return fail(
      'rate_limited',
      `${name} spend limit or credit exhausted: check the billing of the API key`,
      status,
    );

  // Status first; mid-stream `error` events have no status, only the body's type.
  const where = status === undefined ? ' mid-stream' : '';
  const code = status === undefined ? '' : ` (${status})`;
  const type = err.type;
  if (status === 529 || type === 'overloaded_error')
    return fail('overloaded', `${name} is overloaded${code}${where}; try again shortly`, status);
  if (status === 429 || type === 'rate_limit_error')
    return fail(
      'rate_limited',
      `${name} rate limit reached${code}${where}; try again shortly`,
      status,
      retryAfterSeconds(err.headers),
    );
  if (status === 504 || status === 408 || type === 'timeout_error')
    return fail('timeout', `${name} timed out${code}${where}`, status);
  if (status === 404 || type === 'not_found_error')
    return fail('bad_request', withDetail(`${name} does not know this model${code}`, detail), status);
  if (status === 400 || status === 413 || status === 422 || type === 'invalid_request_error')
    return fail('bad_request', withDetail(`${name} rejected the request${code}`, detail), status);
  if (type === 'authentication_error' || type === 'permission_error')
    return fail('authentication', `${name} rejected the API key${code}${where}`, status);
  if (status === undefined)
    return fail('upstream', withDetail(`${name} reported an error mid-stream`, detail));
  if (status >= 500) return fail('upstream', `${name} had an internal error (${status})`, status);
  return fail('bad_request', withDetail(`${name} rejected the request (${status})`, detail), status);
}

/** Anthropic's stop_reason, normalised. */
export function mapAnthropicStopReason(reason: string | null | undefined) {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop' as const;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length' as const;
    case 'refusal':
      return 'content_filter' as const;
    default:
      return 'other' as const;
  }
}
