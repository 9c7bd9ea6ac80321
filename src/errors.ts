// The error catalog: stable app-prefixed codes, made with @fastify/error, mapped to the envelope.
// Provider failures are ProviderError (src/providers/types.ts); the error handler maps their kinds.
import createError from '@fastify/error';

export const Errors = {
  NotFound: createError('PLAYGROUND_NOT_FOUND', '%s', 404),
  BadRequest: createError('PLAYGROUND_BAD_REQUEST', '%s', 400),
  ModelUnknown: createError('PLAYGROUND_MODEL_UNKNOWN', '%s', 400),
  ModelUnavailable: createError('PLAYGROUND_MODEL_UNAVAILABLE', '%s', 400),
  Conflict: createError('PLAYGROUND_CONFLICT', '%s', 409),
  Unauthorized: createError('PLAYGROUND_UNAUTHORIZED', '%s', 401),
  RateLimited: createError('PLAYGROUND_RATE_LIMITED', 'Too many requests; retry in %s', 429),
  TooManyRunning: createError(
    'PLAYGROUND_TOO_MANY_RUNNING',
    'You already have %d comparisons running; wait for one to finish or cancel it',
    429,
  ),
  /** A comparison that does not fit the user's budget, or an unpriced model under BUDGET_UNPRICED=deny. */
  BudgetExceeded: createError('PLAYGROUND_BUDGET_EXCEEDED', '%s', 402),
  /** REDIS_URL is set and Redis does not answer: what needs the other instances cannot be done now. */
  SharedStateUnavailable: createError(
    'PLAYGROUND_SHARED_STATE_UNAVAILABLE',
    'The shared session state is not reachable; try again shortly',
    503,
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
  /** A stable machine-readable code: MODEL_UNKNOWN, VALIDATION, RATE_LIMITED, ... */
  code: string;
  message: string;
  timestamp: string;
}

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
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
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(statusCode: number): string {
  return reasons[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Error');
}

/** The code of a status that no catalog error names: the reason phrase in upper snake case. */
export const codeOfStatus = (statusCode: number) =>
  reasonPhrase(statusCode)
    .toUpperCase()
    .replace(/[^A-Z]+/g, '_');

/** Our catalog's codes lose their app prefix in the envelope: PLAYGROUND_MODEL_UNKNOWN -> MODEL_UNKNOWN. */
export const envelopeCode = (code: string) => code.replace(/^PLAYGROUND_/, '');

export function envelope(
  statusCode: number,
  message: string,
  code = codeOfStatus(statusCode),
): ErrorEnvelope {
  return { statusCode, error: reasonPhrase(statusCode), code, message, timestamp: new Date().toISOString() };
}
