// GET /comparison/:id/export on a real app: media types, attachment names, the formats' content, 400 and 404.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { bearer, demoToken, startComparison, startDemoApp, waitForEnd } from '../support/demo-app.js';

let app: App;
let token: string;
let sessionId: string;
const prompt = '=HYPERLINK("http://evil.example") Café, "quoted"';

beforeAll(async () => {
  app = await startDemoApp(0);
  token = demoToken(app, 'export-user');
  sessionId = await startComparison(app, token, prompt);
  await waitForEnd(app, token, sessionId);
});
afterAll(async () => {
  await app?.close();
});

const exportAs = (format: string, as = token) =>
  app.inject({ url: `/comparison/${sessionId}/export?format=${format}`, headers: bearer(as) });

describe('GET /comparison/:id/export', () => {
  it('downloads CSV: attachment with a name from the prompt, one row per response', async () => {
    const res = await exportAs('csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const date = new Date().toISOString().slice(0, 10);
    const ascii = `hyperlink-http-evil-example-cafe-quoted-${date}-${sessionId.slice(0, 8)}.csv`;
    const unicode = `hyperlink-http-evil-example-café-quoted-${date}-${sessionId.slice(0, 8)}.csv`;
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(unicode)}`,
    );
    expect(res.headers['cache-control']).toBe('private, no-store');
    const rows: Record<string, string>[] = parse(res.body, { bom: true, columns: true });
    const stored = (await app.inject({ url: `/comparison/${sessionId}`, headers: bearer(token) })).json() as {
      responses: { modelId: string; response: string; outputTokens: number }[];
    };
    expect(rows.map((r) => [r.model, r.answer, r.output_tokens])).toEqual(
      stored.responses.map((r) => [r.modelId, r.response, String(r.outputTokens)]),
    );
    expect(rows.every((r) => r.prompt === `'${prompt}`)).toBe(true);
  });

  it('downloads Markdown with the prompt and a heading per model', async () => {
    const res = await exportAs('md');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="[a-z0-9-]+\.md"; filename\*=UTF-8''/,
    );
    expect(res.body).toContain('## demo-fast (demo)');
    expect(res.body).toContain('## demo-slow (demo)');
    expect(res.body.indexOf('## Prompt')).toBeLessThan(res.body.indexOf('## demo-fast'));
  });

  it('downloads JSON: the session as GET returns it, without the stream ticket; json by default', async () => {
    const get = (
      await app.inject({ url: `/comparison/${sessionId}`, headers: bearer(token) })
    ).json() as Record<string, unknown>;
    for (const url of [`/comparison/${sessionId}/export?format=json`, `/comparison/${sessionId}/export`]) {
      const res = await app.inject({ url, headers: bearer(token) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".+\.json"/);
      const { streamUrl: _ticket, ...rest } = get;
      expect(res.json()).toEqual(rest);
    }
  });

  it('answers 400 for an unknown format, 404 for another user, 401 without a token', async () => {
    const bad = await exportAs('xlsx');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect((bad.json() as { message: string }).message).toContain('format');
    expect((await exportAs('csv', demoToken(app, 'someone-else'))).statusCode).toBe(404);
    expect((await app.inject({ url: `/comparison/${sessionId}/export?format=csv` })).statusCode).toBe(401);
  });
});
