// The auth plugin: bearer JWTs (HS256 with JWT_SECRET; Auth0 RS256 comes next), users, stream tickets.
import { createHash, randomBytes } from 'node:crypto';
import jwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createTicketSigner, TicketError, type TicketSigner } from '../auth/tickets.js';
import { Errors } from '../errors.js';
import { type AuthUser, createUsersRepository, type UsersRepository } from '../repositories/users.js';

interface TokenPayload {
  sub?: unknown;
  email?: unknown;
  name?: unknown;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenPayload;
    user: AuthUser;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for protected routes: a valid bearer token, or 401. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** For the stream route only: a ticket for this session in `?ticket=`, or a bearer token. */
    authenticateStream(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    tickets: TicketSigner;
    users: UsersRepository;
    /** The printed dev bearer token (development without JWT_SECRET/AUTH0), else null. */
    devToken: string | null;
  }
}

const optionalText = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v.slice(0, 320) : null);

function toUser(payload: TokenPayload): AuthUser {
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
    throw new Errors.Unauthorized('The token has no subject');
  }
  return { id: payload.sub, email: optionalText(payload.email), name: optionalText(payload.name) };
}

export default fp(
  async (app) => {
    const { auth, isProduction } = app.config;
    let secret = auth.jwtSecret;
    if (!secret) {
      if (isProduction)
        throw new Error('JWT_SECRET or AUTH0_DOMAIN + AUTH0_AUDIENCE must be set in production');
      secret = randomBytes(32).toString('base64url');
    }
    await app.register(jwt, {
      secret,
      verify: { algorithms: ['HS256'] },
      sign: { algorithm: 'HS256' },
      formatUser: (payload) => toUser(payload),
    });

    // Tickets get their own key, derived so that it survives restarts when the secret does.
    const ticketKey = createHash('sha256').update(`stream-ticket:${secret}`).digest();
    app.decorate('tickets', createTicketSigner(ticketKey, auth.ticketTtlSeconds));
    app.decorate('users', createUsersRepository(app.db));

    app.decorate('authenticate', async (request: FastifyRequest) => {
      if (!request.headers.authorization) throw new Errors.Unauthorized('Missing bearer token');
      try {
        await request.jwtVerify();
      } catch (err) {
        request.log.info({ code: (err as { code?: string }).code }, 'token rejected');
        throw new Errors.Unauthorized('Invalid or expired bearer token');
      }
      app.users.upsert(request.user);
    });

    app.decorate('authenticateStream', async (request: FastifyRequest, reply: FastifyReply) => {
      const { ticket } = request.query as { ticket?: unknown };
      const { id } = request.params as { id?: unknown };
      if (typeof ticket !== 'string' || request.headers.authorization)
        return app.authenticate(request, reply);
      try {
        const claims = app.tickets.verify(ticket, String(id));
        request.user = { id: claims.userId, email: null, name: null };
      } catch (err) {
        if (err instanceof TicketError) throw new Errors.Unauthorized(err.message);
        throw err;
      }
    });

    app.decorate('devToken', null);
    if (!auth.jwtSecret && !auth.auth0) {
      const token = app.jwt.sign({ sub: 'local-dev-user', name: 'Local developer' }, { expiresIn: '30d' });
      app.devToken = token;
      app.log.warn(
        'No JWT_SECRET or AUTH0_DOMAIN: using a random secret for this run. A token for a local user:',
      );
      // Printed on its own line so it can be copied; it is valid only until this process exits.
      process.stdout.write(`\nDev bearer token (local-dev-user, this run only):\n${token}\n\n`);
    }
  },
  { name: 'auth', dependencies: ['db'] },
);
