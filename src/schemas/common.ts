// Schemas shared by every resource: the error envelope.
import { z } from 'zod';

export const errorEnvelopeSchema = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    message: z.string(),
    timestamp: z.string(),
  })
  .meta({ id: 'ErrorEnvelope', description: 'Every error answer has this shape.' });
