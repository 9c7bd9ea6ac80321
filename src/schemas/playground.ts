// Schemas of the playground page's own route: its start-up config.
import { z } from 'zod';

export const playgroundConfigSchema = z.object({
  devToken: z
    .string()
    .nullable()
    .describe('The printed dev bearer token, to a browser on this machine in development only; else null'),
});
