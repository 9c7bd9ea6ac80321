// The playground page in headless Chromium against the real app on a real port, with the demo models.
import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatKnownCost,
  formatTokens,
  summaryText,
} from '../../public/playground/format.js';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../helper.js';
import { signHs256 } from '../support/tokens.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`Skipping the playground browser test: ${CHROMIUM} is missing (apt-get install chromium).`);
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

interface StoredResponse {
  modelId: string;
  response: string;
  status: string;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  costSource: string | null;
  responseTimeMs: number | null;
  timeToFirstTokenMs: number | null;
}
interface StoredSession {
  id: string;
  prompt: string;
  status: string;
  responses: StoredResponse[];
  metrics: { totalTokens: number; totalCost: number; averageResponseTime: number };
}
interface StreamRequest {
  url: string;
  status: number | null;
}

/** The answers render as Markdown: their text, with white space collapsed, is the stored text's. */
const flat = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();
/** The cost cell: the figure, then the label of where it comes from. */
const costCell = (r: StoredResponse) => `${formatKnownCost(r.cost, r.costSource)}${r.costSource ?? ''}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!hasChromium)('the playground page in headless Chromium', () => {
  let app: Awaited<ReturnType<typeof buildApp>>;
  let browser: Browser;
  let page: Page;
  let base: string;
  let token: string;
  const streamRequests: StreamRequest[] = [];
  let completedSessionId: string | null = null;
  const pageErrors: string[] = [];

  const api = async <T>(url: string): Promise<T> => {
    const res = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json() as T;
  };

  beforeAll(async () => {
    app = await buildApp(testConfig({ DEMO_MODELS: 'true' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    token = signHs256({ sub: 'playground-e2e-user', name: 'Playground E2E' });
    // Counted on the server itself: every request for a stream, and how it was answered.
    app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!/^\/comparison\/[^/]+\/stream/.test(req.url ?? '')) return;
      const entry: StreamRequest = { url: req.url ?? '', status: null };
      streamRequests.push(entry);
      res.on('close', () => {
        entry.status = res.statusCode;
      });
    });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
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

  it('runs two demo models: columns fill, metrics appear, the stream ends once', {
    timeout: 60_000,
  }, async () => {
    const models = await api<Array<{ id: string; provider: string; name: string }>>(
      '/comparison/models/available',
    );
    const demo = models.filter((m) => m.provider === 'demo').slice(0, 2);
    expect(demo).toHaveLength(2);

    await page.goto(`${base}/playground`);
    await page.waitForSelector('body[data-ready="true"]');
    // A test server has a JWT_SECRET: no dev token is offered, the user pastes one.
    expect(await page.inputValue('#token')).toBe('');
    await page.fill('#token', token);
    await page.press('#token', 'Tab');
    for (const m of demo) {
      const option = page.locator('.model-option', { has: page.locator(`input[value="${m.id}"]`) });
      await expect.poll(() => option.count()).toBe(1);
      expect(await option.textContent()).toContain('simulated');
      await option.locator('input').check();
    }

    const prompt = 'Explain server-sent events in two sentences.';
    await page.fill('#prompt', prompt);
    await page.click('#run');

    await page.waitForSelector('#summary[data-kind="complete"]', { timeout: 30_000 });
    const sessionId = await page.getAttribute('#columns', 'data-session-id');
    expect(sessionId).toBeTruthy();
    completedSessionId = sessionId;
    for (const m of demo) {
      await page.waitForSelector(
        `.column[data-model-id="${m.id}"][data-status="completed"] .metrics:not([data-pending])`,
      );
    }

    const session = await api<StoredSession>(`/comparison/${sessionId}`);
    expect(session.status).toBe('completed');
    expect(session.responses.map((r) => r.modelId).sort()).toEqual(demo.map((m) => m.id).sort());
    for (const stored of session.responses) {
      const column = page.locator(`.column[data-model-id="${stored.modelId}"]`);
      expect(stored.response.length).toBeGreaterThan(0);
      expect(flat(await column.locator('[data-role="output"]').textContent())).toBe(flat(stored.response));
      expect(await column.getAttribute('data-status')).toBe('completed');
      expect(await column.locator('.metric dd').allTextContents()).toEqual([
        formatTokens(stored.inputTokens),
        formatTokens(stored.outputTokens),
        costCell(stored),
        formatDuration(stored.timeToFirstTokenMs),
        formatDuration(stored.responseTimeMs),
      ]);
    }
    expect(await page.textContent('#summary')).toBe(`Complete · ${summaryText(session.metrics)}`);

    // The page closed its EventSource on the final event: one stream request, or one more answered 204, no more.
    await sleep(2500);
    const forSession = streamRequests.filter((r) => r.url.startsWith(`/comparison/${sessionId}/stream`));
    expect(forSession.length).toBeGreaterThanOrEqual(1);
    expect(forSession.length).toBeLessThanOrEqual(2);
    expect(forSession[0]?.status).toBe(200);
    if (forSession.length === 2) expect(forSession[1]?.status).toBe(204);
    expect(await page.getAttribute('#columns', 'data-stream')).toBe('closed');

    // The history shows the run, newest first.
    const entry = page.locator(`#history-list button[data-session-id="${sessionId}"]`);
    await expect.poll(() => entry.count()).toBe(1);
    expect(await entry.textContent()).toContain(prompt);
    expect(await page.getAttribute('#history-list li:first-child button', 'data-session-id')).toBe(sessionId);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}playground.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('cancels a running comparison: every column and the summary say so, the stream ends', {
    timeout: 30_000,
  }, async () => {
    // The slow demo model alone: its first token comes after 0.7 s at least, well after Cancel.
    for (const box of await page.locator('input[name="model"]').all()) {
      await box.setChecked((await box.getAttribute('value')) === 'demo-slow');
    }
    await page.fill('#prompt', 'A comparison to cancel at once.');
    await page.click('#run');
    await page.click('#cancel:not([disabled])');
    await page.waitForSelector('#summary[data-kind="cancelled"]', { timeout: 20_000 });
    const sessionId = await page.getAttribute('#columns', 'data-session-id');
    const session = await api<StoredSession>(`/comparison/${sessionId}`);
    expect(session.status).toBe('cancelled');
    for (const stored of session.responses) {
      const column = page.locator(`.column[data-model-id="${stored.modelId}"]`);
      expect(await column.getAttribute('data-status')).toBe('cancelled');
      expect(flat(await column.locator('[data-role="output"]').textContent())).toBe(flat(stored.response));
    }
    await sleep(1500);
    const forSession = streamRequests.filter((r) => r.url.startsWith(`/comparison/${sessionId}/stream`));
    expect(forSession.length).toBeLessThanOrEqual(2);
    expect(forSession.slice(1).every((r) => r.status === 204)).toBe(true);
    expect(await page.getAttribute('#columns', 'data-stream')).toBe('closed');
    expect(await page.isDisabled('#cancel')).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('loads a stored comparison from the history into the columns', { timeout: 30_000 }, async () => {
    // A fresh page: the token comes back from localStorage, the history from GET /comparison.
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.inputValue('#token')).toBe(token);
    const sessionId = completedSessionId;
    const entry = page.locator(`#history-list button[data-session-id="${sessionId}"]`);
    await entry.click();
    await page.waitForSelector(`#columns[data-session-id="${sessionId}"] .column`);

    const session = await api<StoredSession>(`/comparison/${sessionId}`);
    await expect.poll(() => page.locator('.column').count()).toBe(session.responses.length);
    for (const stored of session.responses) {
      const column = page.locator(`.column[data-model-id="${stored.modelId}"]`);
      expect(flat(await column.locator('[data-role="output"]').textContent())).toBe(flat(stored.response));
      expect(await column.locator('.metric dd').nth(2).textContent()).toBe(costCell(stored));
    }
    expect(await page.inputValue('#prompt')).toBe(session.prompt);
    expect(await entry.getAttribute('aria-current')).toBe('true');
    expect(await page.textContent('#summary')).toBe(`Complete · ${summaryText(session.metrics)}`);
    expect(pageErrors).toEqual([]);
  });
});
