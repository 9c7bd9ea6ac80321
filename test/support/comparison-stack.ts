// A listening app wired to the loopback provider server, with helpers to call it as a client would.
import { buildApp } from '../../src/app.js';
import type { RedisOptions } from '../../src/plugins/redis.js';
import type { SessionsOptions } from '../../src/plugins/sessions.js';
import { captureLogs, testConfig } from '../helper.js';
import {
  type ProviderServer,
  type Script,
  type StreamScript,
  startProviderServer,
} from './provider-server.js';

export interface StackOptions {
  env?: Record<string, string | undefined>;
  sessions?: Partial<SessionsOptions>;
  providerServer?: ProviderServer;
  /** With REDIS_URL in env: the key prefix of this test's instances. */
  redis?: Partial<RedisOptions>;
}

export interface ApiResult<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

export async function startStack(options: StackOptions = {}) {
  const providerServer = options.providerServer ?? (await startProviderServer());
  const logs = captureLogs();
  const app = await buildApp(
    testConfig({
      LOG_LEVEL: 'info',
      DEMO_MODELS: 'false',
      OPENAI_API_KEY: 'sk-test-openai',
      OPENAI_BASE_URL: providerServer.openaiBaseURL,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: providerServer.anthropicBaseURL,
      PROVIDER_IDLE_TIMEOUT_MS: '2000',
      SHUTDOWN_GRACE_MS: '200',
      ...options.env,
    }),
    {
      logStream: logs.stream,
      sessions: {
        pingIntervalMs: 200,
        flushIntervalMs: 50,
        logRetentionMs: 2000,
        retryMs: 100,
        ...options.sessions,
      },
      redis: options.redis,
    },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const available = app.providers.available();
  // Models the Anthropic SDK does not warn about as deprecated, to keep test output clean.
  const pick = (id: string) => {
    const model = available.find((m) => m.id === id);
    if (!model) throw new Error(`model ${id} is not available`);
    return model;
  };
  const openai = pick('gpt-4o-mini');
  const anthropic = pick('claude-haiku-4-5');

  async function api<T = unknown>(
    method: string,
    path: string,
    { token, body, headers = {} }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResult<T>> {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, headers: res.headers, json: json as T, text };
  }

  return {
    app,
    url,
    logs,
    providerServer,
    /** One model of each wire format, and their upstream names for scripting the provider server. */
    models: { openai, anthropic, ids: [openai.id, anthropic.id] },
    token: (sub: string) => app.jwt.sign({ sub, email: `${sub}@example.com`, name: sub }),
    api,
    /** Scripts the provider server per upstream model: one script for the OpenAI model, one for the Anthropic one. */
    scriptModels(forOpenAI: StreamScript, forAnthropic: Script = forOpenAI) {
      providerServer.respond((req) => (req.model === openai.upstreamModel ? forOpenAI : forAnthropic));
    },
    async close() {
      await app.close();
      await providerServer.close();
    },
  };
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export interface Created {
  sessionId: string;
  streamUrl: string;
  status: string;
  models: { id: string }[];
}
