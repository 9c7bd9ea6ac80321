// Schemas of the auth routes.
import { z } from 'zod';

export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }),
});

export const loginQuerySchema = z.object({
  state: z
    .string()
    .regex(/^[\w.~-]{8,512}$/, 'must be 8 to 512 URL-safe characters')
    .optional()
    .describe('Opaque value chosen by the front end, returned by Auth0 with the code'),
});
