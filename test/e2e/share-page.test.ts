// The share page in headless Chromium against the real app: hostile Markdown stays inert, the rest renders.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCost, formatDuration, formatTokens } from '../../public/playground/format.js';
import type { App } from '../../src/app.js';
import { bearer, demoToken, startDemoApp } from '../support/demo-app.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Skipping the share page browser test: ${CHROMIUM} is missing (apt-get install chromium).`);
}
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
];
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Every trick sets window.__pwned if it runs; the flag must stay unset. */
const hostileAnswer = [
  '# Heading one',
  '## Heading two',
  '',
  'Some **bold** text and `inline code`.',
  '',
  '- item a',
  '- item b',
  '',
  '1. first',
  '2. second',
  '',
  '| Model | Score |',
  '| --- | --- |',
  '| alpha | 1 |',
  '| beta | 2 |',
  '',
  '```js',
  'const answer = 42;',
  '```',
  '',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '',
  '<script>window.__pwned = "script"</script>',
  '',
  "[click me](javascript:window.__pwned='link')",
  '',
  '<a href="javascript:window.__pwned=\'raw\'">raw anchor</a>',
  '',
  '![a picture](https://images.example/cat.png)',
  '',
  '[the docs](https://example.com/docs)',
].join('\n');

const plainAnswer = 'A second model, *briefly*.\n\n> quoted\n\nThe end.';

interface Shared {
  responses: {
    modelId: string;
    inputTokens: number;
    outputTokens: number;
    cost: number;
    timeToFirstTokenMs: number;
    responseTimeMs: number;
  }[];
}

/** A finished session written straight into the store, as the engine would have left it. */
async function storeFinishedSession(app: App, userId: string) {
  const repo = app.stores.sessions;
  await app.stores.users.upsert({ id: userId, email: `${userId}@example.com`, name: userId });
  const sessionId = randomUUID();
  const answers = [
    { id: randomUUID(), modelId: 'demo-fast', provider: 'demo', text: hostileAnswer, tokens: [31, 180] },
    { id: randomUUID(), modelId: 'demo-slow', provider: 'demo', text: plainAnswer, tokens: [31, 22] },
  ];
  await repo.create({
    id: sessionId,
    userId,
    prompt: 'Show me every kind of Markdown, and a few tricks.',
    responses: answers.map(({ id, modelId, provider }) => ({ id, modelId, provider })),
  });
  await repo.persist([
    {
      sessionId,
      events: [],
      responses: answers.map((a, i) => ({
        id: a.id,
        appendText: a.text,
        appendReasoning: '',
        status: 'completed' as const,
        final: {
          inputTokens: a.tokens[0] ?? 0,
          outputTokens: a.tokens[1] ?? 0,
          cachedInputTokens: 0,
          cacheWriteInputTokens: 0,
          reasoningTokens: null,
          cost: 0.000042 * (i + 1),
          costSource: 'computed' as const,
          usageSource: 'provider' as const,
          price: null,
          responseTimeMs: 1500 + i * 1000,
          timeToFirstTokenMs: 120 + i * 500,
          timeToFirstReasoningMs: null,
          finishReason: 'stop' as const,
          errorMessage: null,
        },
      })),
      final: { status: 'completed', errorMessage: null, finalEventId: 0 },
    },
  ]);
  return sessionId;
}

describe.skipIf(!hasChromium)('the share page in headless Chromium', () => {
  let app: App;
  let browser: Browser;
  let page: Page;
  let base: string;
  let shareId: string;
  let token: string;
  let sessionId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    app = await startDemoApp(0);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    token = demoToken(app, 'share-e2e-user');
    sessionId = await storeFinishedSession(app, 'share-e2e-user');
    const res = await app.inject({
      method: 'POST',
      url: `/comparison/${sessionId}/share`,
      headers: bearer(token),
    });
    expect(res.statusCode, res.body).toBe(201);
    shareId = (res.json() as { shareId: string }).shareId;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // A CSP violation or a script error shows up here.
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('renders the answers as Markdown side by side, with none of the tricks active', {
    timeout: 30_000,
  }, async () => {
    await page.goto(`${base}/s/${shareId}`);
    await page.waitForSelector('body[data-state="ready"]');
    expect(await page.textContent('#prompt-text')).toBe('Show me every kind of Markdown, and a few tricks.');

    const hostile = page.locator('.column[data-model-id="demo-fast"] [data-role="output"]');
    // Structure renders: headings, lists, a table, a code block in monospace.
    expect(await hostile.locator('h1').textContent()).toBe('Heading one');
    expect(await hostile.locator('h2').textContent()).toBe('Heading two');
    expect(await hostile.locator('ul > li').allTextContents()).toEqual(['item a', 'item b']);
    expect(await hostile.locator('ol > li').allTextContents()).toEqual(['first', 'second']);
    expect(await hostile.locator('table th').allTextContents()).toEqual(['Model', 'Score']);
    expect(await hostile.locator('table td').allTextContents()).toEqual(['alpha', '1', 'beta', '2']);
    expect(await hostile.locator('pre code').textContent()).toBe('const answer = 42;\n');
    const codeFont = await page.evaluate(
      `getComputedStyle(document.querySelector('.column[data-model-id="demo-fast"] pre code')).fontFamily`,
    );
    expect(codeFont).toMatch(/monospace/);
    expect(await hostile.locator('strong').textContent()).toBe('bold');

    // Nothing hostile is in the DOM: no script, no image, no handler, no javascript: URL.
    expect(await hostile.locator('script, img, iframe, [onerror], [onclick]').count()).toBe(0);
    expect(await page.locator('[href^="javascript:" i], [src^="javascript:" i]').count()).toBe(0);
    // The raw HTML reads as the text the model wrote.
    expect(await hostile.textContent()).toContain('<img src=x onerror=');
    expect(await hostile.textContent()).toContain('<script>window.__pwned = "script"</script>');
    // The javascript: link kept its text and lost its href; clicking it does nothing.
    const bad = hostile.locator('a', { hasText: 'click me' });
    expect(await bad.getAttribute('href')).toBeNull();
    await bad.click();
    // Links that stay open in a new tab with no opener and no referrer; the image became such a link.
    const docs = hostile.locator('a', { hasText: 'the docs' });
    expect(await docs.getAttribute('href')).toBe('https://example.com/docs');
    expect(await docs.getAttribute('target')).toBe('_blank');
    expect(await docs.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await hostile.locator('a', { hasText: 'a picture' }).getAttribute('href')).toBe(
      'https://images.example/cat.png',
    );
    await page.waitForTimeout(300);
    // A string, evaluated in the page: the test's own TypeScript has no DOM types.
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');

    // Side by side, each with its figures.
    const boxes = await Promise.all(
      ['demo-fast', 'demo-slow'].map((id) => page.locator(`.column[data-model-id="${id}"]`).boundingBox()),
    );
    expect(boxes[0] && boxes[1] && boxes[0].x < boxes[1].x && Math.abs(boxes[0].y - boxes[1].y) < 1).toBe(
      true,
    );
    const shared = (await app.inject({ url: `/shared/${shareId}` })).json() as Shared;
    for (const r of shared.responses) {
      const figures = await page
        .locator(`.column[data-model-id="${r.modelId}"] .metric dd`)
        .allTextContents();
      expect(figures.slice(0, 5)).toEqual([
        formatTokens(r.inputTokens),
        formatTokens(r.outputTokens),
        formatCost(r.cost),
        formatDuration(r.timeToFirstTokenMs),
        formatDuration(r.responseTimeMs),
      ]);
    }
    expect(await page.locator('.column[data-model-id="demo-slow"] blockquote').textContent()).toContain(
      'quoted',
    );

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}share.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('says so when the link was revoked', { timeout: 20_000 }, async () => {
    const res = await app.inject({
      method: 'DELETE',
      url: `/comparison/${sessionId}/share`,
      headers: bearer(token),
    });
    expect(res.statusCode).toBe(204);
    pageErrors.length = 0;
    await page.goto(`${base}/s/${shareId}`);
    await page.waitForSelector('body[data-state="missing"]');
    expect(await page.textContent('#share-status')).toContain('revoked');
    expect(await page.isHidden('#share-prompt')).toBe(true);
    // The browser reports the page's own 404 and the API's as failed loads; nothing else.
    expect(pageErrors.every((e) => e.includes('404'))).toBe(true);
  });
});
