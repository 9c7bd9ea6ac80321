// Pure mapping from the openai SDK's error hierarchy to ProviderError kinds with user-safe messages.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai';
import { errorText } from './openai-compat/error-body.js';
import { retryAfterSeconds } from './retry-veto-fetch.js';
import { isRecord, safeUpstreamMessage, withDetail } from './safe-message.js';
import { type Endpoint, ProviderError } from './types.js';

/** What a message needs of the endpoint: its id for `provider`, its name for the text, its key to redact. */
export type EndpointRef = Pick<Endpoint, 'id' | 'name' | 'apiKey'>;
const OPENAI: EndpointRef = { id: 'openai', name: 'OpenAI' };

/**
 * True when an OpenAI error object (the `error` member of the body) says the account's quota or
 * spend limit is used up: a 429 that no retry can fix.
 */
export function isOpenAIQuotaError(error: unknown): boolean {
  if (!isRecord(error)) return false;
  if (error.code === 'insufficient_quota' || error.type === 'insufficient_quota') return true;
  return (
    typeof error.message === 'string' && /exceeded your current quota|billing hard limit/i.test(error.message)
  );
}

/** The same test on a whole response body `{ error: { ... } }`. */
export const isOpenAIQuotaBody = (body: unknown) =>
  isOpenAIQuotaError(isRecord(body) ? body.error : undefined);

/** The error kind and a message safe to show a user; `apiKey` is redacted from any upstream text. */
export function mapOpenAIError(err: unknown, endpoint: EndpointRef = OPENAI): ProviderError {
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

  // OpenAI-shaped `{ message }`, or a bare string (`{"error":"..."}` inside a stream).
  const detail = safeUpstreamMessage(errorText(err.error), [apiKey]);
  const status = err.status;
  // Never echo the upstream text for credential errors: OpenAI quotes part of the key back.
  if (err instanceof AuthenticationError)
    return fail('authentication', `${name} rejected the API key (401)`, 401);
  if (err instanceof PermissionDeniedError)
    return fail('authentication', `${name} refused access with this API key (403)`, 403);
  if (err instanceof RateLimitError) {
    if (isOpenAIQuotaError(err.error))
      return fail(
        'rate_limited',
        `${name} quota exhausted: check the plan and billing of the API key (429)`,
        429,
      );
    return fail(
      'rate_limited',
      `${name} rate limit reached (429); try again shortly`,
      429,
      retryAfterSeconds(err.headers),
    );
  }
  if (err instanceof NotFoundError)
    return fail('bad_request', withDetail(`${name} does not know this model (404)`, detail), 404);
  if (err instanceof BadRequestError)
    return fail('bad_request', withDetail(`${name} rejected the request (400)`, detail), 400);
  if (err instanceof InternalServerError) {
    if (status === 503)
      return fail('overloaded', withDetail(`${name} is overloaded (503); try again shortly`, detail), 503);
    return fail('upstream', withDetail(`${name} had an internal error (${status})`, detail), status);
  }
  if (status === undefined) {
    // An `error` object inside the event stream, after the response had started.
    if (/rate_limit/.test(`${err.type} ${err.code}`))
      return fail('rate_limited', withDetail(`${name} rate limit reached mid-stream`, detail));
    return fail('upstream', withDetail(`${name} reported an error mid-stream`, detail));
  }
  if (status >= 400 && status < 500)
    return fail('bad_request', withDetail(`${name} rejected the request (${status})`, detail), status);
  return fail('upstream', withDetail(`${name} answered with status ${status}`, detail), status);
}

/** OpenAI's finish_reason, normalised. */
export function mapOpenAIFinishReason(reason: string | null | undefined) {
  switch (reason) {
    case 'stop':
      return 'stop' as const;
    case 'length':
    // Mistral's "the context is full" and a proxy's Anthropic-style name: the answer was cut short either way.
    case 'model_length':
    case 'max_tokens':
      return 'length' as const;
    case 'content_filter':
      return 'content_filter' as const;
    default:
      return 'other' as const;
  }
}
