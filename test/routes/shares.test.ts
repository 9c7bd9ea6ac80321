// Share links end to end on a real app and SQLite: make, read without a token, re-share, revoke, refuse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { bearer, demoToken, startComparison, startDemoApp, waitForEnd } from '../support/demo-app.js';

let app: App;
let owner: string;
let other: string;
let sessionId: string;

beforeAll(async () => {
  app = await startDemoApp(0);
  owner = demoToken(app, 'share-owner-7f3a');
  other = demoToken(app, 'share-visitor-91bc');
  sessionId = await startComparison(app, owner, 'What is a share link?');
  await waitForEnd(app, owner, sessionId);
});
afterAll(async () => {
  await app?.close();
});

const share = (id: string, token = owner) =>
  app.inject({ method: 'POST', url: `/comparison/${id}/share`, headers: bearer(token) });
const revoke = (id: string, token = owner) =>
  app.inject({ method: 'DELETE', url: `/comparison/${id}/share`, headers: bearer(token) });
const readShared = (shareId: string) => app.inject({ url: `/shared/${shareId}` });

describe('share links', () => {
  it('makes an unguessable link whose snapshot has no user id, email, ticket or key', async () => {
    const res = await share(sessionId);
    expect(res.statusCode, res.body).toBe(201);
    const { shareId, url } = res.json() as { shareId: string; url: string };
    expect(shareId).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    // 22 base64url characters are 132 bits; the last one carries 2 of them, so 16 random bytes.
    expect(Buffer.from(shareId, 'base64url')).toHaveLength(16);
    expect(url).toBe(`/s/${shareId}`);

    const shared = await readShared(shareId);
    expect(shared.statusCode).toBe(200);
    expect(shared.headers['cache-control']).toBe('no-store');
    const text = shared.body;
    for (const secret of [
      'share-owner-7f3a',
      '@example.com',
      'Name of',
      'ticket',
      'streamUrl',
      'userId',
      'sk-',
    ])
      expect(text).not.toContain(secret);
    const own = (await app.inject({ url: `/comparison/${sessionId}`, headers: bearer(owner) })).json() as {
      prompt: string;
      responses: { modelId: string; response: string; outputTokens: number }[];
    };
    const body = shared.json() as typeof own & { sharedAt: string; id?: string };
    expect(body.prompt).toBe('What is a share link?');
    expect(body.id).toBeUndefined();
    expect(body.responses.map((r) => [r.modelId, r.response, r.outputTokens])).toEqual(
      own.responses.map((r) => [r.modelId, r.response, r.outputTokens]),
    );
    expect(Date.parse(body.sharedAt)).not.toBeNaN();
  });

  it('answers the live link again when the session is shared a second time', async () => {
    const first = (await share(sessionId)).json() as { shareId: string };
    const again = await share(sessionId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ shareId: first.shareId, url: `/s/${first.shareId}` });
  });

  it('lets another user read the link but not the session behind it', async () => {
    const { shareId } = (await share(sessionId)).json() as { shareId: string };
    const visitor = await app.inject({ url: `/shared/${shareId}`, headers: bearer(other) });
    expect(visitor.statusCode).toBe(200);
    expect((await app.inject({ url: `/comparison/${sessionId}`, headers: bearer(other) })).statusCode).toBe(
      404,
    );
    expect((await share(sessionId, other)).statusCode).toBe(404);
    expect((await revoke(sessionId, other)).statusCode).toBe(404);
    // The visitor's failed revoke changed nothing.
    expect((await readShared(shareId)).statusCode).toBe(200);
  });

  it('revokes: the link answers 404, the page too, and a new share is a new link', async () => {
    const { shareId } = (await share(sessionId)).json() as { shareId: string };
    const res = await revoke(sessionId);
    expect(res.statusCode).toBe(204);
    const gone = await readShared(shareId);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
    expect((await app.inject({ url: `/s/${shareId}` })).statusCode).toBe(404);
    // Revoking again is no error: there is simply nothing left to revoke.
    expect((await revoke(sessionId)).statusCode).toBe(204);
    const fresh = await share(sessionId);
    expect(fresh.statusCode).toBe(201);
    expect((fresh.json() as { shareId: string }).shareId).not.toBe(shareId);
  });

  it('answers 404 for a link that never existed, and 401 to make or revoke one without a token', async () => {
    expect((await readShared('AAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(404);
    expect((await readShared('not-even-the-right-shape')).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/comparison/${sessionId}/share` })).statusCode).toBe(
      401,
    );
    expect((await app.inject({ method: 'DELETE', url: `/comparison/${sessionId}/share` })).statusCode).toBe(
      401,
    );
  });

  it('allows DELETE in a CORS preflight', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: `/comparison/${sessionId}/share`,
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'DELETE' },
    });
    expect(res.headers['access-control-allow-methods']).toContain('DELETE');
  });
});

describe('sharing a running comparison', () => {
  let slowApp: App;
  beforeAll(async () => {
    // The slow demo model, paced ten times slower: its first token is seconds away.
    slowApp = await startDemoApp(10);
  });
  afterAll(async () => {
    await slowApp?.close();
  });

  it('answers 409 while it runs', async () => {
    const token = demoToken(slowApp, 'share-runner');
    const id = await startComparison(slowApp, token, 'Still thinking', ['demo-slow']);
    const res = await slowApp.inject({
      method: 'POST',
      url: `/comparison/${id}/share`,
      headers: bearer(token),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ statusCode: 409, error: 'Conflict' });
    await slowApp.inject({ method: 'POST', url: `/comparison/${id}/cancel`, headers: bearer(token) });
    // Once ended (here cancelled), it can be shared.
    await waitForEnd(slowApp, token, id);
    const after = await slowApp.inject({
      method: 'POST',
      url: `/comparison/${id}/share`,
      headers: bearer(token),
    });
    expect(after.statusCode).toBe(201);
  });
});
