// The share page's files and the browser modules: served from our own origin, with the playground's CSP.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { vendorFiles } from '../../src/routes/browser-modules.js';
import { playgroundCsp } from '../../src/routes/playground.js';
import { startDemoApp } from '../support/demo-app.js';

let app: App;
beforeAll(async () => {
  app = await startDemoApp(0);
});
afterAll(async () => {
  await app?.close();
});

describe('the share page', () => {
  it('serves the page under /s/:id with the strict CSP and no referrer', async () => {
    const res = await app.inject({ url: '/s/AAAAAAAAAAAAAAAAAAAAAA' });
    // A link that does not exist: the same page, answered 404.
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(playgroundCsp);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.body).toContain('<script type="module" src="/share/share.js"></script>');
    for (const file of ['/share/share.js', '/share/share.css']) {
      const asset = await app.inject({ url: file });
      expect(asset.statusCode, file).toBe(200);
      expect(asset.headers['content-security-policy']).toBe(playgroundCsp);
    }
  });

  it('serves marked and DOMPurify from node_modules, and the shared Markdown module', async () => {
    for (const [name, { dir, file }] of Object.entries(vendorFiles)) {
      const res = await app.inject({ url: `/vendor/${name}` });
      expect(res.statusCode).toBe(200);
      // A JavaScript media type, which a module script with nosniff requires.
      expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe(readFileSync(`${dir}/${file}`, 'utf8'));
      // Revalidated, not refetched: an ETag from the file.
      const again = await app.inject({
        url: `/vendor/${name}`,
        headers: { 'if-none-match': String(res.headers.etag) },
      });
      expect(again.statusCode).toBe(304);
    }
    const glue = await app.inject({ url: '/common/markdown.js' });
    expect(glue.statusCode).toBe(200);
    expect(glue.headers['content-type']).toMatch(/javascript/);
    expect((await app.inject({ url: '/common/markdown.css' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/vendor/../package.json' })).statusCode).toBe(404);
  });
});
