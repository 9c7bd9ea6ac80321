// X-Request-Id: a client's id is echoed and logged only when short and plain; anything else is replaced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helper.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let app: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(() => app.close());

describe('X-Request-Id', () => {
  it('echoes an id of 1-64 letters, digits, _ . -', async () => {
    for (const id of ['a', 'req_42.retry-1', 'x'.repeat(64)]) {
      const r = await app.inject({ url: '/', headers: { 'x-request-id': id } });
      expect(r.headers['x-request-id']).toBe(id);
    }
  });

  it.each([
    ['16 KB', 'a'.repeat(16 * 1024)],
    ['65 characters', 'x'.repeat(65)],
    ['markup', '<script>alert(1)</script>'],
    ['a space', 'abc def'],
    ['a newline escape', 'abc%0d%0aSet-Cookie:x'],
  ])('replaces %s with an id of its own, in the answer and in the log', async (_label, given) => {
    const before = app.logs.lines.length;
    const r = await app.inject({ url: '/', headers: { 'x-request-id': given } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-request-id']).toMatch(uuid);
    const logged = app.logs.lines.slice(before).join('\n');
    expect(logged).toContain(String(r.headers['x-request-id']));
    expect(logged).not.toContain(given);
  });
});
