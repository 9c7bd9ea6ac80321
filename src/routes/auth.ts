// Auth routes: who am I (protected), and the public Auth0 login/logout redirects.
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { loginRedirect, logoutRedirect, type Redirect } from '../auth/auth0-urls.js';
import { envelope } from '../errors.js';
import { loginQuerySchema, meSchema } from '../schemas/auth.js';
import { errorEnvelopeSchema } from '../schemas/common.js';

/** Registered inside the protected context: the user is already authenticated. */
export const authProtectedRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/auth/me',
    { schema: { tags: ['auth'], security: [{ bearerAuth: [] }], response: { 200: meSchema } } },
    async (request) => ({ user: request.user }),
  );
};

function redirectOr501(reply: FastifyReply, redirect: Redirect) {
  // Sent here rather than thrown: the error handler hides every 5xx message, and this one is for the client.
  if ('problem' in redirect) return reply.code(501).send(envelope(501, redirect.problem));
  return reply.header('cache-control', 'no-store').redirect(redirect.url, 302);
}

const redirectSchema = {
  tags: ['auth'],
  response: { 501: errorEnvelopeSchema.describe('Auth0 is not configured on this server') },
};

/** Public: a browser follows these before it has a token. */
export const authPublicRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/auth/login',
    {
      schema: {
        ...redirectSchema,
        description: 'Redirects (302) to the Auth0 Universal Login',
        querystring: loginQuerySchema,
      },
    },
    async (request, reply) =>
      // The code comes back to the front end, not here, so only a state the front end made and kept
      // can be checked there; without one, a random state still keeps the request well-formed.
      redirectOr501(
        reply,
        loginRedirect(app.config, request.query.state ?? randomBytes(16).toString('base64url')),
      ),
  );
  app.get(
    '/auth/logout',
    { schema: { ...redirectSchema, description: "Redirects (302) to Auth0's logout, back to CORS_ORIGIN" } },
    async (_request, reply) => redirectOr501(reply, logoutRedirect(app.config)),
  );
};
