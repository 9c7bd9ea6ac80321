// One error handler for the whole app: every failure leaves as the contract's envelope.
import type { Socket } from 'node:net';
import Database from 'better-sqlite3';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import type { ConnectionError, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import pg from 'pg';
import { envelope, envelopeCode, reasonPhrase } from '../errors.js';
import { ProviderError } from '../providers/types.js';

type Issue = { instancePath?: string; message?: string; params?: Record<string, unknown> };

function describeValidation(context: string | undefined, issues: Issue[]): string {
  const where = context ?? 'request';
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = (i.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
      return `${where}${path ? `.${path}` : ''}: ${i.message ?? 'is invalid'}`;
    })
    .join('; ');
}

function providerStatus(err: ProviderError): number {
  if (err.kind === 'rate_limited') return 429;
  if (err.kind === 'timeout') return 504;
  return 502;
}

/**
 * Errors of @fastify/jwt, fast-jwt and our JWKS store: any of them means the token is not acceptable.
 * app.authenticate already turns them into 401; this catches any that escape another way.
 */
function isTokenError(err: FastifyError): boolean {
  return typeof err.code === 'string' && /^(FST_JWT_|FAST_JWT_|JWKS_)/.test(err.code);
}

/**
 * An error of our own catalog (src/errors.ts) is a deliberate answer, 5xx ones too (503 while shutting
 * down): its message is written for the client, and it is no failure of ours to log as an error.
 */
function isCatalogError(err: FastifyError): boolean {
  return typeof err.code === 'string' && err.code.startsWith('PLAYGROUND_');
}

// SQLite failures of the storage itself, not of a query: a read-only or vanished file, a full disk, a lock.
const storageCodes = /^SQLITE_(READONLY|IOERR|FULL|CANTOPEN|BUSY|LOCKED|CORRUPT|NOTADB|PERM|PROTOCOL)/;

// Postgres failures of the server, not of a query: connection lost (08), out of resources (53),
// shut down or starting (57P), system errors (58), and a read-only transaction (25006).
const pgStorageCodes = /^(08|53|57P|58)|^25006$/;
// A query (or a transaction's connect) that never reached a server: refused, cut, or the pool's wait.
const pgConnectionFailure = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/;
const pgPoolMessages = /^(timeout exceeded when trying to connect|Connection terminated)/;

/**
 * The engine's error, thrown as it is or as the `cause` of Drizzle's DrizzleQueryError: what the
 * log line names it by (`sqliteCode` or `pgCode`), or undefined when it is no storage failure.
 */
function storageFailure(err: unknown): { sqliteCode: string } | { pgCode: string } | undefined {
  let e = err;
  let viaQuery = false;
  for (let depth = 0; e instanceof Error && depth < 4; depth++, e = e.cause) {
    if (e instanceof Database.SqliteError && storageCodes.test(e.code)) return { sqliteCode: e.code };
    if (e instanceof pg.DatabaseError && e.code && pgStorageCodes.test(e.code)) return { pgCode: e.code };
    if (e instanceof DrizzleQueryError) viaQuery = true;
    const code = (e as { code?: unknown }).code;
    if (viaQuery && typeof code === 'string' && pgConnectionFailure.test(code)) return { pgCode: code };
    if (pgPoolMessages.test(e.message)) return { pgCode: 'connection' };
  }
  return undefined;
}

export function toEnvelope(err: FastifyError, request: FastifyRequest) {
  // zod issues (fastify-type-provider-zod) and Fastify's own arrive in the same `validation` shape.
  if (err.validation)
    return envelope(400, describeValidation(err.validationContext, err.validation as Issue[]), 'VALIDATION');
  if (err instanceof ProviderError)
    return envelope(providerStatus(err), err.message, `UPSTREAM_${err.kind.toUpperCase()}`);
  if (isTokenError(err)) return envelope(401, 'Invalid or missing authorization token', 'UNAUTHORIZED');
  const status = err.statusCode ?? 500;
  // Our own catalog's messages are written to be shown, 5xx ones (shutting down) too.
  if (isCatalogError(err)) return envelope(status, err.message, envelopeCode(err.code));
  if (status >= 400 && status < 500) return envelope(status, err.message);
  const storage = storageFailure(err);
  if (storage) {
    // The operator's to fix (and /health says so); the client may retry later.
    request.log.error({ err, ...storage }, 'database unavailable');
    return envelope(503, 'The database is unavailable; try again shortly', 'STORAGE_UNAVAILABLE');
  }
  request.log.error({ err }, 'request failed');
  return envelope(
    status >= 500 && status < 600 ? status : 500,
    'Something went wrong on our side; it has been logged',
    'INTERNAL',
  );
}

/**
 * Fastify's own replies before routing (a malformed URL, an over-long path parameter), through its
 * `frameworkErrors` option: fixed messages, since the path they would echo may be anything.
 */
export function frameworkErrorEnvelope(err: FastifyError, request: FastifyRequest) {
  if (err.code === 'FST_ERR_BAD_URL')
    return envelope(400, 'The URL is malformed (an invalid percent-encoding)', 'BAD_URL');
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return envelope(414, 'A part of the path is too long (at most 200 characters)', 'URI_TOO_LONG');
  return toEnvelope(err, request);
}

/**
 * A connection Node gives up on before Fastify has a request (the request timeout, oversized headers,
 * bytes that are not HTTP): the envelope, written to the socket as Fastify's default handler does.
 */
export function clientErrorHandler(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'The request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request headers are too large']
        : [400, 'The request is not valid HTTP'];
  // As Node's own handler: once a response has begun, another one would only garble it.
  const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (socket.writable && !started) {
    const body = JSON.stringify(envelope(status, message));
    socket.write(
      `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request, reply: FastifyReply) => {
      const body = toEnvelope(err, request);
      if (body.statusCode < 500 || isCatalogError(err))
        request.log.info({ code: err.code, statusCode: body.statusCode }, body.message);
      return reply.code(body.statusCode).send(body);
    });
    app.setNotFoundHandler((request, reply) =>
      reply
        .code(404)
        .send(
          envelope(404, `Route ${request.method} ${request.url.split('?')[0]} not found`, 'ROUTE_NOT_FOUND'),
        ),
    );
  },
  { name: 'error-handler' },
);
