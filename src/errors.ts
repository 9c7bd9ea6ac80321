// The error catalog: stable app-prefixed codes, made with @fastify/error, mapped to the envelope.
import createError from '@fastify/error';

export const Errors = {
  NotFound: createError('PLAYGROUND_NOT_FOUND', '%s', 404),
  BadRequest: createError('PLAYGROUND_BAD_REQUEST', '%s', 400),
  Unauthorized: createError('PLAYGROUND_UNAUTHORIZED', '%s', 401),
  Forbidden: createError('PLAYGROUND_FORBIDDEN', '%s', 403),
  RateLimited: createError('PLAYGROUND_RATE_LIMITED', 'Too many requests; retry in %s', 429),
  TooManyRunning: createError(
    'PLAYGROUND_TOO_MANY_RUNNING',
    'You already have %d comparisons running; wait for one to finish or cancel it',
    429,
  ),
  ProviderRateLimited: createError('PLAYGROUND_PROVIDER_RATE_LIMITED', '%s', 429),
  ProviderTimeout: createError('PLAYGROUND_PROVIDER_TIMEOUT', '%s', 504),
  ProviderFailed: createError('PLAYGROUND_PROVIDER_FAILED', '%s', 502),
  ShuttingDown: createError(
    'PLAYGROUND_SHUTTING_DOWN',
    'The server is shutting down; try again shortly',
    503,
  ),
  DatabaseUnavailable: createError('PLAYGROUND_DATABASE_UNAVAILABLE', 'The database is not reachable', 503),
};

/** The contract's error envelope. */
export interface ErrorEnvelope {
  statusCode: number;
  error: string;
  message: string;
  timestamp: string;
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(statusCode: number): string {
  return reasons[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Error');
}

export function envelope(statusCode: number, message: string): ErrorEnvelope {
  return { statusCode, error: reasonPhrase(statusCode), message, timestamp: new Date().toISOString() };
}
