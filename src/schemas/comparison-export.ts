// Schemas of the export route: which format to download.
import { z } from 'zod';
import { exportFormatNames } from '../services/export/formats.js';

export const exportQuerySchema = z.object({
  format: z
    .enum(exportFormatNames, { error: `must be one of ${exportFormatNames.join(', ')}` })
    .default('json')
    .describe('json (the session as GET returns it), csv (one row per response) or md (Markdown)'),
});
