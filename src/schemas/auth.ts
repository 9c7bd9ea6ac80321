// Schemas of the auth routes.
import { z } from 'zod';

export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string().nullable(), name: z.string().nullable() }),
});
