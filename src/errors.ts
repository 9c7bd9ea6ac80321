// The error catalog: stable app-prefixed codes, made with @fastify/error, mapped to the envelope.
// Provider failures are ProviderError (src/providers/types.ts); the error handler maps their kinds.
import createError from '@fastify/error';

export const Errors = {
  NotFound: createError('PLAYGROUND_NOT_FOUND', '%s', 404),
  BadRequest: createError('PLAYGROUND_BAD_REQUEST', '%s', 400),
  Unauthorized: createError('PLAYGROUND_UNAUTHORIZED', '%s', 401),
  Conflict: createError('PLAYGROUND_CONFLICT', '%s', 409),
  RateLimited: createError('PLAYGROUND_RATE_LIMITED', 'Too many requests; retry in %s', 429),
  TooManyRunning: createError(
    'PLAYGROUND_TOO_MANY_RUNNING',
    'You already have %d comparisons running; wait for one to finish or cancel it',
    429,
  ),
  ShuttingDown: createError(
    'PLAYGROUND_SHUTTING_DOWN',
    'The server is shutting down; try again shortly',
    503,
  ),
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
