// Auth routes: who am I (protected). Login/logout redirects are public and live beside it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { meSchema } from '../schemas/auth.js';

/** Registered inside the protected context: the user is already authenticated. */
export const authProtectedRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/auth/me',
    { schema: { tags: ['auth'], security: [{ bearerAuth: [] }], response: { 200: meSchema } } },
    async (request) => ({ user: request.user }),
  );
};
