// Configuration: defaults, parsing, and one clear line naming the variable for each bad value.
import { describe, expect, it } from 'vitest';
import { auth0Issuer, ConfigError, loadConfig } from '../src/config.js';

const secret = 'x'.repeat(32);

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(3001);
    expect(c.databasePath).toBe('./database.sqlite');
    expect(c.corsOrigins).toEqual(['http://localhost:3000']);
    expect(c.logLevel).toBe('info');
    expect(c.rateLimitMax).toBe(100);
    expect(c.limits).toEqual({
      maxPromptChars: 100_000,
      maxModelsPerComparison: 8,
      maxRunningPerUser: 3,
      maxResponseChars: 1_000_000,
    });
    expect(c.trustProxy).toBe(false);
    expect(c.providers.demo).toBe(true);
    expect(c.providers.openai).toBeUndefined();
    expect(c.providers.anthropic).toBeUndefined();
    expect(c.auth.auth0).toBeUndefined();
  });

  it('parses every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_PATH: ':memory:',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://127.0.0.1:9999/v1',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9998',
      DEMO_MODELS: 'false',
      AUTH0_DOMAIN: 'tenant.auth0.com',
      AUTH0_AUDIENCE: 'https://api.example.com',
      AUTH0_CLIENT_ID: 'cid',
      AUTH0_CLIENT_SECRET: 'csecret',
      CORS_ORIGIN: 'http://a.test, http://b.test',
      LOG_LEVEL: 'debug',
      RATE_LIMIT_MAX: '5',
      MAX_PROMPT_CHARS: '10',
      MAX_MODELS_PER_COMPARISON: '2',
      MAX_RUNNING_PER_USER: '1',
      TRUST_PROXY: '10.0.0.0/8,127.0.0.1',
    });
    expect(c.port).toBe(8080);
    expect(c.providers.openai).toEqual({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9999/v1' });
    expect(c.providers.anthropic).toEqual({ apiKey: 'sk-ant-test', baseURL: 'http://127.0.0.1:9998' });
    expect(c.providers.demo).toBe(false);
    expect(c.auth.auth0).toMatchObject({
      issuer: 'https://tenant.auth0.com/',
      audience: 'https://api.example.com',
    });
    expect(c.corsOrigins).toEqual(['http://a.test', 'http://b.test']);
    expect(c.limits).toEqual({
      maxPromptChars: 10,
      maxModelsPerComparison: 2,
      maxRunningPerUser: 1,
      maxResponseChars: 1_000_000,
    });
    expect(c.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });

  it('turns the demo models off by default in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).providers.demo).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, DEMO_MODELS: 'true' }).providers.demo,
    ).toBe(true);
  });

  it('reads TRUST_PROXY as a boolean, a hop count or a list', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    const hops = loadConfig({ TRUST_PROXY: '2' }).trustProxy;
    expect(typeof hops).toBe('function');
    if (typeof hops === 'function')
      expect([hops('x', 0), hops('x', 1), hops('x', 2)]).toEqual([true, true, false]);
  });

  it('takes a postgres:// or postgresql:// DATABASE_URL, and never repeats it in an error', () => {
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/app' }).databaseUrl).toBe(
      'postgres://u:p@127.0.0.1:5432/app',
    );
    expect(loadConfig({ DATABASE_URL: 'postgresql://db.internal/app' }).databaseUrl).toBe(
      'postgresql://db.internal/app',
    );
    expect(() => loadConfig({ DATABASE_URL: 'http://u:hunter2@h/db' })).toThrow(/^(?!.*hunter2)/);
  });

  it('reads REDIS_URL (redis:// or rediss://) and names it, never its value, when it is bad', () => {
    expect(loadConfig({}).redis).toBeUndefined();
    expect(loadConfig({ REDIS_URL: 'redis://:pw@localhost:6379/2' }).redis).toEqual({
      url: 'redis://:pw@localhost:6379/2',
    });
    expect(loadConfig({ REDIS_URL: 'rediss://cache.example.com' }).redis?.url).toBe(
      'rediss://cache.example.com',
    );
    for (const bad of ['http://localhost:6379', 'not a url :secret-pw'])
      try {
        loadConfig({ REDIS_URL: bad });
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toBe(
          'Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL',
        );
      }
  });

  it('treats empty values as unset, as a copied .env.example leaves them', () => {
    const c = loadConfig({ OPENAI_API_KEY: '', PORT: '', JWT_SECRET: '' });
    expect(c.providers.openai).toBeUndefined();
    expect(c.port).toBe(3001);
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['PORT', { PORT: 'abc' }, /^Invalid configuration: PORT must be a whole number$/],
    ['PORT', { PORT: '70000' }, /PORT must be at most 65535/],
    ['NODE_ENV', { NODE_ENV: 'staging' }, /NODE_ENV must be development, production or test/],
    ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'not a url' }, /OPENAI_BASE_URL/],
    ['ANTHROPIC_BASE_URL', { ANTHROPIC_BASE_URL: 'ftp://x' }, /ANTHROPIC_BASE_URL/],
    ['DEMO_MODELS', { DEMO_MODELS: 'maybe' }, /DEMO_MODELS must be true or false/],
    ['AUTH0_DOMAIN', { AUTH0_DOMAIN: 'not a domain/with path', AUTH0_AUDIENCE: 'a' }, /AUTH0_DOMAIN/],
    [
      'AUTH0_AUDIENCE',
      { AUTH0_DOMAIN: 'tenant.auth0.com' },
      /AUTH0_AUDIENCE is required when AUTH0_DOMAIN is set/,
    ],
    ['JWT_SECRET', { JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    ['RATE_LIMIT_MAX', { RATE_LIMIT_MAX: '0' }, /RATE_LIMIT_MAX must be at least 1/],
    ['MAX_PROMPT_CHARS', { MAX_PROMPT_CHARS: '1.5' }, /MAX_PROMPT_CHARS must be a whole number/],
    ['MAX_MODELS_PER_COMPARISON', { MAX_MODELS_PER_COMPARISON: '-1' }, /MAX_MODELS_PER_COMPARISON/],
    ['MAX_RUNNING_PER_USER', { MAX_RUNNING_PER_USER: 'lots' }, /MAX_RUNNING_PER_USER/],
    ['JWT_SECRET in production', { NODE_ENV: 'production' }, /JWT_SECRET is required in production/],
    [
      'DATABASE_URL',
      { DATABASE_URL: 'mysql://u:secret@h/db' },
      /^Invalid configuration: DATABASE_URL must be a Postgres URL/,
    ],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }, /DATABASE_URL must be a Postgres URL/],
    ['BUDGET_USD_PER_DAY', { BUDGET_USD_PER_DAY: '0' }, /BUDGET_USD_PER_DAY must be a positive number/],
    ['BUDGET_USD_PER_MONTH', { BUDGET_USD_PER_MONTH: 'ten' }, /BUDGET_USD_PER_MONTH must be a positive/],
    ['BUDGET_UNPRICED', { BUDGET_UNPRICED: 'maybe' }, /BUDGET_UNPRICED must be deny or allow/],
  ];
  it.each(bad)('rejects a bad %s with one line naming it', (_name, env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('loadConfig: budgets', () => {
  it('has no limit and denies unpriced models by default; takes decimal limits', () => {
    expect(loadConfig({}).budgets).toEqual({
      usdPerDay: undefined,
      usdPerMonth: undefined,
      unpriced: 'deny',
    });
    expect(
      loadConfig({ BUDGET_USD_PER_DAY: '2.50', BUDGET_USD_PER_MONTH: '40', BUDGET_UNPRICED: 'allow' })
        .budgets,
    ).toEqual({ usdPerDay: 2.5, usdPerMonth: 40, unpriced: 'allow' });
    expect(loadConfig({ BUDGET_USD_PER_DAY: '', BUDGET_UNPRICED: '' }).budgets.usdPerDay).toBeUndefined();
  });
});

describe('auth0Issuer', () => {
  it('turns a bare host into an https issuer and keeps a full origin', () => {
    expect(auth0Issuer('tenant.auth0.com')).toBe('https://tenant.auth0.com/');
    expect(auth0Issuer('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010/');
    expect(auth0Issuer('https://tenant.eu.auth0.com/')).toBe('https://tenant.eu.auth0.com/');
  });
});
