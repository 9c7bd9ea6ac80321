// Logs: request ids on every line, and no bearer token, cookie, stream ticket or provider key in them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redactUrl } from '../src/logger.js';
import { buildTestApp } from './helper.js';

let app: Awaited<ReturnType<typeof buildTestApp>>;
beforeAll(async () => {
  app = await buildTestApp({ OPENAI_API_KEY: 'sk-live-supersecret' });
});
afterAll(() => app.close());

it('redacts credentials in URLs', () => {
  expect(redactUrl('/comparison/1/stream?ticket=abc.def&lastEventId=3')).toBe(
    '/comparison/1/stream?ticket=[REDACTED]&lastEventId=3',
  );
  expect(redactUrl('/x?a=1&token=t0k')).toBe('/x?a=1&token=[REDACTED]');
});

it('keeps tokens, cookies, tickets and keys out of request logs', async () => {
  const token = app.jwt.sign({ sub: 'logger-user' });
  await app.inject({
    url: '/auth/me?ticket=st1.ticket-value.sig',
    headers: {
      authorization: `Bearer ${token}`,
      cookie: 'session=cookie-value',
      'x-request-id': 'log-test-1',
    },
  });
  app.log.info({ provider: { apiKey: 'sk-live-supersecret' } }, 'provider configured');
  const text = app.logs.text();
  expect(text).toContain('log-test-1');
  expect(text).toContain('[REDACTED]');
  for (const secret of [token, 'cookie-value', 'ticket-value', 'sk-live-supersecret'])
    expect(text).not.toContain(secret);
});

it('writes one line per request, when it is answered, with its id, method, URL, status and duration', async () => {
  const before = app.logs.lines.length;
  await app.inject({ url: '/no-such-route?token=t0k', headers: { 'x-request-id': 'log-test-2' } });
  const lines = app.logs.lines
    .slice(before)
    .map((l) => JSON.parse(l))
    .filter((l) => l.reqId === 'log-test-2');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    msg: 'request completed',
    req: { method: 'GET', url: '/no-such-route?token=[REDACTED]' },
    res: { statusCode: 404 },
    responseTime: expect.any(Number),
  });
});
