// The dev token behind a reverse proxy on this machine: a remote browser must never get it.
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helper.js';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;
let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const devApp = (trustProxy: string) =>
  buildTestApp({
    NODE_ENV: 'development',
    JWT_SECRET: undefined,
    LOG_LEVEL: 'silent',
    TRUST_PROXY: trustProxy,
  });

// nginx's defaults: the socket is the proxy's (loopback), Host is the upstream's, the client is forwarded.
const viaLocalProxy = (headers: Record<string, string>) => ({
  url: '/playground/config.json',
  remoteAddress: '127.0.0.1',
  headers: { host: '127.0.0.1:3001', ...headers },
});

describe('dev token behind a local reverse proxy', () => {
  it.each(['true', 'false', '1', '127.0.0.1'])(
    'TRUST_PROXY=%s: no token for a forwarded remote client',
    async (trust) => {
      app = await devApp(trust);
      const forwardedRemote: Record<string, string>[] = [
        { 'x-forwarded-for': '203.0.113.9' },
        { 'x-forwarded-for': '203.0.113.9, 127.0.0.1' },
        { 'x-real-ip': '203.0.113.9' },
        { forwarded: 'for=203.0.113.9;proto=https' },
        { forwarded: 'for="[2001:db8::1]:4711"' },
        { forwarded: 'for=unknown' },
      ];
      for (const headers of forwardedRemote) {
        const r = await app.inject(viaLocalProxy(headers));
        expect(r.statusCode).toBe(200);
        expect(r.json(), JSON.stringify(headers)).toEqual({ devToken: null });
      }
    },
  );

  it('still gives the token to a browser on this machine through a local proxy', async () => {
    app = await devApp('true');
    const r = await app.inject(viaLocalProxy({ 'x-forwarded-for': '127.0.0.1' }));
    expect(r.json()).toEqual({ devToken: app.devToken });
    expect(app.devToken).toEqual(expect.any(String));
  });

  it('no token for a remote socket that claims to be loopback in X-Forwarded-For', async () => {
    app = await devApp('true');
    const r = await app.inject({
      url: '/playground/config.json',
      remoteAddress: '198.51.100.7',
      headers: { host: '127.0.0.1:3001', 'x-forwarded-for': '127.0.0.1' },
    });
    expect(r.json()).toEqual({ devToken: null });
  });

  it('over a real socket: a forwarded remote client gets no token, the same request unforwarded does', async () => {
    app = await devApp('true');
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const forwarded = await fetch(`${url}/playground/config.json`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(await forwarded.json()).toEqual({ devToken: null });
    const local = await fetch(`${url}/playground/config.json`);
    expect(await local.json()).toEqual({ devToken: app.devToken });
  });
});
