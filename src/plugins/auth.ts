// The auth plugin: bearer JWTs (Auth0 RS256 via JWKS, or HS256 with JWT_SECRET), users, stream tickets.
import { randomBytes } from 'node:crypto';
import jwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createJwksStore, type JwksStore } from '../auth/jwks.js';
import { createTicketSigner, TicketError, type TicketSigner } from '../auth/tickets.js';
import {
  auth0JwtOptions,
  hs256JwtOptions,
  type TokenPayload,
  ticketKey,
  userFromClaims,
} from '../auth/verification.js';
import { Errors } from '../errors.js';
import type { AuthUser } from '../repositories/types.js';

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenPayload;
    user: AuthUser;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for protected routes: a valid bearer token, or 401. Sets `request.user`. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** For `/comparison/:id/stream` only: `?ticket=` signed for this `:id`, or a bearer token. */
    authenticateStream(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    tickets: TicketSigner;
    /** Which kind of bearer token this server accepts. */
    authMode: 'auth0' | 'hs256';
    /** Auth0 mode only: the issuer's signing keys. */
    jwks: JwksStore | null;
    /** Development without any auth setting: a token for a local user, for server.ts to print. */
    devToken: string | null;
  }
}

const bearerPattern = /^Bearer +[A-Za-z0-9._~+/-]+=*$/i;

export default fp(
  async (app) => {
    const { auth, isProduction } = app.config;
    let devSecret: string | undefined;

    if (auth.auth0) {
      const issuer = auth.auth0.issuer;
      const jwks = createJwksStore({
        issuer,
        onFetchError: (err) => app.log.warn({ jwks: `${issuer}.well-known/jwks.json` }, err.message),
      });
      await app.register(jwt, { ...auth0JwtOptions(auth.auth0, jwks), formatUser: userFromClaims });
      app.decorate('jwks', jwks);
    } else {
      if (!auth.jwtSecret && isProduction)
        throw new Error('JWT_SECRET or AUTH0_DOMAIN + AUTH0_AUDIENCE must be set in production');
      const secret = auth.jwtSecret ?? randomBytes(32).toString('base64url');
      if (!auth.jwtSecret) devSecret = secret;
      await app.register(jwt, { ...hs256JwtOptions(secret), formatUser: userFromClaims });
      app.decorate('jwks', null);
    }
    app.decorate('authMode', auth.auth0 ? ('auth0' as const) : ('hs256' as const));
    app.decorate('tickets', createTicketSigner(ticketKey(auth, devSecret), auth.ticketTtlSeconds));

    app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers.authorization;
      // RFC 6750: a 401 tells the client which scheme to use and, for a bad token, that it was invalid.
      const challenge = (error?: string) =>
        reply.header('www-authenticate', `Bearer realm="playground"${error ? `, error="${error}"` : ''}`);
      if (!header) {
        challenge();
        throw new Errors.Unauthorized('Missing bearer token');
      }
      if (!bearerPattern.test(header)) {
        challenge('invalid_request');
        throw new Errors.Unauthorized('The Authorization header must be "Bearer <token>"');
      }
      try {
        // Every failure, whatever its code (unknown alg, future nbf, array payload, JWKS down),
        // is the client's token not being acceptable: 401, never 500.
        await request.jwtVerify();
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        request.log.info({ code }, 'bearer token rejected');
        challenge('invalid_token');
        throw new Errors.Unauthorized(
          code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED' ? 'Bearer token expired' : 'Invalid bearer token',
        );
      }
      if (!request.user?.id) {
        challenge('invalid_token');
        throw new Errors.Unauthorized('The token has no subject');
      }
      request.user = await app.stores.users.upsert(request.user);
    });

    app.decorate('authenticateStream', async (request: FastifyRequest, reply: FastifyReply) => {
      const { ticket } = (request.query ?? {}) as { ticket?: unknown };
      if (ticket === undefined || request.headers.authorization) return app.authenticate(request, reply);
      const { id } = (request.params ?? {}) as { id?: unknown };
      if (typeof ticket !== 'string' || typeof id !== 'string')
        throw new Errors.Unauthorized('Malformed stream ticket');
      let userId: string;
      try {
        userId = app.tickets.verify(ticket, id).userId;
      } catch (err) {
        if (err instanceof TicketError) throw new Errors.Unauthorized(err.message);
        throw err;
      }
      request.user = (await app.stores.users.findById(userId)) ?? { id: userId, email: null, name: null };
    });

    const devToken = devSecret
      ? app.jwt.sign({ sub: 'local-dev-user', name: 'Local developer' }, { expiresIn: '30d' })
      : null;
    if (devToken)
      app.log.warn('No JWT_SECRET or AUTH0_DOMAIN: this run uses a random secret (dev token on stdout)');
    app.decorate('devToken', devToken);
  },
  { name: 'auth', dependencies: ['repositories'] },
);
