// pino options: request ids, and no secret (tokens, cookies, stream tickets, provider keys) in a log line.
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';

/** Query parameters whose values are credentials. */
const secretQueryParams = /([?&](?:ticket|token|access_token|api_key|key)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(secretQueryParams, '$1[REDACTED]');
}

export function loggerOptions(config: Config, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.apiKey',
        '*.*.apiKey',
        '*.jwtSecret',
        '*.clientSecret',
        'headers.authorization',
        'headers["x-api-key"]',
      ],
      censor: '[REDACTED]',
    },
    serializers: {
      req(request) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          host: request.host,
          remoteAddress: request.ip,
        };
      },
    },
  };
}
