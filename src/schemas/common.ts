// Schemas shared by every resource: the error envelope.
import { z } from 'zod';

export const errorEnvelopeSchema = z
  .object({
    statusCode: z.number().int(),
    error: z.string(),
    code: z
      .string()
      .meta({ description: 'Stable code: MODEL_UNKNOWN, VALIDATION, RATE_LIMITED, NOT_FOUND, ...' }),
    message: z.string(),
    timestamp: z.string(),
  })
  .meta({ id: 'ErrorEnvelope', description: 'Every error answer has this shape.' });
