// The playground page's routes: static files with a strict CSP, public, and the dev token only when it is safe.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playgroundCsp, playgroundRoot } from '../../src/routes/playground.js';
import { buildTestApp } from '../helper.js';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;

describe('playground static files', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(() => app.close());

  it.each(['/playground', '/playground/', '/playground/index.html'])(
    '%s serves the page without a token',
    async (url) => {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<title>AI Model Playground</title>');
      expect(res.headers['content-security-policy']).toBe(playgroundCsp);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('serves the script as a JavaScript module and the styles as CSS', async () => {
    const js = await app.inject({ url: '/playground/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['content-security-policy']).toBe(playgroundCsp);
    const css = await app.inject({ url: '/playground/styles.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers 404 with the error envelope for a file that is not there', async () => {
    const res = await app.inject({ url: '/playground/nope.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const traversal = await app.inject({ url: '/playground/..%2f..%2fpackage.json' });
    expect(traversal.statusCode).toBe(404);
  });

  it('keeps the CSP on the page only, not on the API', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.headers['content-security-policy']).toBeUndefined();
  });

  it('gives no dev token when the server has a JWT_SECRET', async () => {
    const res = await app.inject({ url: '/playground/config.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ devToken: null });
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('the page works under its CSP', () => {
  const files = readdirSync(playgroundRoot);
  const html = readFileSync(join(playgroundRoot, 'index.html'), 'utf8');

  it('has no inline script, inline handler, inline style or external asset', () => {
    for (const match of html.matchAll(/<script\b[^>]*>/g)) expect(match[0]).toMatch(/\bsrc="\/playground\//);
    expect(html).not.toMatch(/<script\b[^>]*>(?!<\/script>)/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
  });

  it('never writes HTML from strings in its scripts', () => {
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(join(playgroundRoot, file), 'utf8');
      expect(source, file).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
    }
  });
});

describe('playground config in development', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp({ NODE_ENV: 'development', JWT_SECRET: undefined, LOG_LEVEL: 'silent' });
  });
  afterAll(() => app.close());

  it('gives the printed dev token to a browser on this machine, and that token works', async () => {
    const res = await app.inject({ url: '/playground/config.json', headers: { host: 'localhost:3001' } });
    const { devToken } = res.json() as { devToken: string | null };
    expect(devToken).toBe(app.devToken);
    expect(devToken).toEqual(expect.any(String));
    const me = await app.inject({ url: '/auth/me', headers: { authorization: `Bearer ${devToken}` } });
    expect(me.statusCode).toBe(200);
  });

  it('gives nothing when the page is reached by another host name (DNS rebinding) or from afar', async () => {
    const rebound = await app.inject({
      url: '/playground/config.json',
      headers: { host: 'evil.example:3001' },
    });
    expect(rebound.json()).toEqual({ devToken: null });
    const remote = await app.inject({
      url: '/playground/config.json',
      headers: { host: 'localhost:3001' },
      remoteAddress: '192.168.1.20',
    });
    expect(remote.json()).toEqual({ devToken: null });
  });
});
