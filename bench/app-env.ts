// The app's environment as the benchmarks start it: production, HS256 tokens, dummy keys at the provider child.
/** The JWT secret of the bench scripts that sign their own users' tokens with a fixed one. */
export const BENCH_SECRET = 'bench-secret-0123456789-0123456789-abcdef';

export interface AppEnvOptions {
  providerUrl: string;
  secret: string;
  /** Anthropic's key and base URL too (the blocks with one model per wire); true by default. */
  anthropic?: boolean;
}

/**
 * The load generator is many users at once: the per-user limits are set out of its way, and the
 * catalogue's demo models are off so that only the provider child answers. `extra` adds to or
 * overrides it (DATABASE_PATH, LOG_LEVEL, ...).
 */
export function appEnv(o: AppEnvOptions, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    JWT_SECRET: o.secret,
    OPENAI_API_KEY: 'sk-bench-dummy',
    OPENAI_BASE_URL: `${o.providerUrl}/v1`,
    ...(o.anthropic === false
      ? {}
      : { ANTHROPIC_API_KEY: 'sk-ant-bench-dummy', ANTHROPIC_BASE_URL: o.providerUrl }),
    DEMO_MODELS: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
    MAX_RUNNING_PER_USER: '1000',
    SHUTDOWN_GRACE_MS: '0',
    ...extra,
  };
}
