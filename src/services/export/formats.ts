// The export formats by name: each one's media type, file extension and formatter.
import { toCsv } from './csv.js';
import { toJson } from './json.js';
import { toMarkdown } from './markdown.js';
import type { SessionView } from './session-view.js';

export const exportFormatNames = ['json', 'csv', 'md'] as const;
export type ExportFormatName = (typeof exportFormatNames)[number];

export interface ExportFormat {
  contentType: string;
  ext: string;
  render(session: SessionView & { streamUrl?: string }): string;
}

export const exportFormats: Record<ExportFormatName, ExportFormat> = {
  json: { contentType: 'application/json; charset=utf-8', ext: 'json', render: toJson },
  csv: { contentType: 'text/csv; charset=utf-8', ext: 'csv', render: toCsv },
  md: { contentType: 'text/markdown; charset=utf-8', ext: 'md', render: toMarkdown },
};
