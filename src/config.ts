// Configuration: the contract's environment variables, validated once at start-up with zod.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { loadModelsFile, ModelsFileError } from './providers/models-file.js';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().trim().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional());

const int = (min: number, max: number, fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

// A spending limit in US dollars: a positive decimal, or unset for no limit.
const usdLimit = z.preprocess(
  emptyToUndefined,
  z.coerce
    .number({ error: 'must be a positive number of US dollars' })
    .positive('must be a positive number of US dollars')
    .max(1_000_000_000, 'must be at most 1000000000')
    .optional(),
);

// A Postgres connection URL; the message never repeats the value, which may hold a password.
const databaseUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        const url = new URL(v);
        return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
      } catch {
        return false;
      }
    }, 'must be a Postgres URL: postgres://user:password@host:5432/database')
    .optional(),
);

const booleanFlag = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .optional(),
);

// Fastify's trustProxy accepts a boolean, a hop count, or a list of addresses/CIDRs.
const trustProxy = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .default('false')
    .transform((v): boolean | string[] | ((address: string, hop: number) => boolean) => {
      const s = v.trim();
      if (s === 'true') return true;
      if (s === 'false') return false;
      // A hop count: trust that many proxies in front of us, as proxy-addr does for a number.
      if (/^\d+$/.test(s)) {
        const hops = Number(s);
        return (_address: string, hop: number) => hop < hops;
      }
      return s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    }),
);

const envSchema = z
  .object({
    NODE_ENV: z.preprocess(
      emptyToUndefined,
      z
        .enum(['development', 'production', 'test'], { error: 'must be development, production or test' })
        .default('development'),
    ),
    PORT: int(0, 65535, 3001),
    HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
    DATABASE_PATH: z.preprocess(emptyToUndefined, z.string().default('./database.sqlite')),
    DATABASE_URL: databaseUrl,
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    ANTHROPIC_API_KEY: optionalString,
    ANTHROPIC_BASE_URL: optionalUrl,
    DEMO_MODELS: booleanFlag,
    AUTH0_DOMAIN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(
          /^(https?:\/\/[^/\s]+\/?|[a-z0-9.-]+(:\d+)?)$/i,
          'must be a host (tenant.auth0.com) or an origin (https://host)',
        )
        .optional(),
    ),
    AUTH0_AUDIENCE: optionalString,
    AUTH0_CLIENT_ID: optionalString,
    AUTH0_CLIENT_SECRET: optionalString,
    JWT_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    CORS_ORIGIN: z.preprocess(emptyToUndefined, z.string().default('http://localhost:3000')),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'must be one of fatal, error, warn, info, debug, trace, silent',
        })
        .default('info'),
    ),
    RATE_LIMIT_MAX: int(1, 1_000_000, 100),
    MAX_PROMPT_CHARS: int(1, 10_000_000, 100_000),
    MAX_MODELS_PER_COMPARISON: int(1, 64, 8),
    MAX_RUNNING_PER_USER: int(1, 1000, 3),
    MAX_RESPONSE_CHARS: int(1000, 100_000_000, 1_000_000),
    TRUST_PROXY: trustProxy,
    MODELS_FILE: optionalString,
    MODELS_REFRESH_SECONDS: int(1, 86_400, 600),
    // Not in the contract's table; documented in README and .env.example.
    PROVIDER_IDLE_TIMEOUT_MS: int(100, 3_600_000, 120_000),
    SHUTDOWN_GRACE_MS: int(0, 600_000, 10_000),
    REQUEST_TIMEOUT_MS: int(500, 3_600_000, 30_000),
    METRICS_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    STREAM_TICKET_TTL_SECONDS: int(10, 86_400, 3600),
    BUDGET_USD_PER_DAY: usdLimit,
    BUDGET_USD_PER_MONTH: usdLimit,
    // Several instances: running sessions' events, leases, cancels and limits shared through Redis.
    REDIS_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .refine((v) => {
          try {
            return /^rediss?:$/.test(new URL(v).protocol);
          } catch {
            return false;
          }
        }, 'must be a redis:// or rediss:// URL')
        .optional(),
    ),
    BUDGET_UNPRICED: z.preprocess(
      emptyToUndefined,
      z.enum(['deny', 'allow'], { error: 'must be deny or allow' }).default('deny'),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.AUTH0_DOMAIN && !env.AUTH0_AUDIENCE) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH0_AUDIENCE'],
        message: 'is required when AUTH0_DOMAIN is set',
      });
    }
    if (env.NODE_ENV === 'production' && !env.AUTH0_DOMAIN && !env.JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message:
          'is required in production when AUTH0_DOMAIN is not set (set AUTH0_DOMAIN + AUTH0_AUDIENCE, or JWT_SECRET)',
      });
    }
  });

export type Env = z.input<typeof envSchema>;

/** Read when it exists and MODELS_FILE is not set. */
export const DEFAULT_MODELS_FILE = './models.yaml';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `tenant.auth0.com` -> `https://tenant.auth0.com/`; a full origin is kept, with a trailing slash. */
export function auth0Issuer(domain: string): string {
  const origin = /^https?:\/\//i.test(domain) ? domain : `https://${domain}`;
  return origin.endsWith('/') ? origin : `${origin}/`;
}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join('.') || 'environment';
    throw new ConfigError(`Invalid configuration: ${variable} ${issue?.message ?? 'is invalid'}`);
  }
  const e = parsed.data;
  // The default file is optional; a file named in MODELS_FILE must exist.
  const modelsPath = e.MODELS_FILE ?? (existsSync(DEFAULT_MODELS_FILE) ? DEFAULT_MODELS_FILE : undefined);
  let modelsFile: ReturnType<typeof loadModelsFile> | undefined;
  try {
    // Keys are read from `env` here, under the variable names the file gives: nothing else reads the environment.
    modelsFile = modelsPath === undefined ? undefined : loadModelsFile(modelsPath, env);
  } catch (err) {
    if (err instanceof ModelsFileError) throw new ConfigError(err.message);
    throw err;
  }
  return {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    databasePath: e.DATABASE_PATH,
    /** Postgres instead of SQLite when set (DATABASE_PATH is then unused). */
    databaseUrl: e.DATABASE_URL,
    logLevel: e.LOG_LEVEL,
    corsOrigins: e.CORS_ORIGIN.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: e.TRUST_PROXY,
    rateLimitMax: e.RATE_LIMIT_MAX,
    limits: {
      maxPromptChars: e.MAX_PROMPT_CHARS,
      maxModelsPerComparison: e.MAX_MODELS_PER_COMPARISON,
      maxRunningPerUser: e.MAX_RUNNING_PER_USER,
      maxResponseChars: e.MAX_RESPONSE_CHARS,
    },
    providers: {
      openai: e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY, baseURL: e.OPENAI_BASE_URL } : undefined,
      anthropic: e.ANTHROPIC_API_KEY
        ? { apiKey: e.ANTHROPIC_API_KEY, baseURL: e.ANTHROPIC_BASE_URL }
        : undefined,
      demo: e.DEMO_MODELS ?? e.NODE_ENV !== 'production',
      idleTimeoutMs: e.PROVIDER_IDLE_TIMEOUT_MS,
      /** The operator's endpoints (MODELS_FILE), keys resolved; undefined without a file. */
      modelsFile,
      modelsRefreshSeconds: e.MODELS_REFRESH_SECONDS,
    },
    auth: {
      auth0: e.AUTH0_DOMAIN
        ? {
            issuer: auth0Issuer(e.AUTH0_DOMAIN),
            audience: e.AUTH0_AUDIENCE as string,
            clientId: e.AUTH0_CLIENT_ID,
            clientSecret: e.AUTH0_CLIENT_SECRET,
          }
        : undefined,
      jwtSecret: e.JWT_SECRET,
      ticketTtlSeconds: e.STREAM_TICKET_TTL_SECONDS,
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    /** Undefined: one process, nothing shared. The URL may hold a password: never log it. */
    redis: e.REDIS_URL ? { url: e.REDIS_URL } : undefined,
    budgets: {
      usdPerDay: e.BUDGET_USD_PER_DAY,
      usdPerMonth: e.BUDGET_USD_PER_MONTH,
      unpriced: e.BUDGET_UNPRICED,
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;
