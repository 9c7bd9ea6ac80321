// An app on :memory: with the demo models (paced as asked) and helpers to run a comparison to its end.
import { expect } from 'vitest';
import { type App, buildApp } from '../../src/app.js';
import { testConfig } from '../helper.js';

export async function startDemoApp(delayScale = 0) {
  const app = await buildApp(testConfig({ DEMO_MODELS: 'true', SHUTDOWN_GRACE_MS: '200' }), {
    providers: { demo: { delayScale } },
  });
  await app.ready();
  return app;
}

export const demoToken = (app: App, sub: string) =>
  app.jwt.sign({ sub, email: `${sub}@example.com`, name: `Name of ${sub}` });

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Starts a comparison of the two demo models; answers its session id. */
export async function startComparison(
  app: App,
  token: string,
  prompt: string,
  modelIds = ['demo-fast', 'demo-slow'],
) {
  const res = await app.inject({
    method: 'POST',
    url: '/comparison',
    headers: bearer(token),
    payload: { prompt, modelIds },
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { sessionId: string }).sessionId;
}

/** Polls GET /comparison/:id until the session has ended. */
export async function waitForEnd(app: App, token: string, sessionId: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.inject({ url: `/comparison/${sessionId}`, headers: bearer(token) });
    const status = (res.json() as { status: string }).status;
    if (!['pending', 'in_progress'].includes(status)) return res.json() as { status: string };
    if (Date.now() > until) throw new Error(`session ${sessionId} still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
