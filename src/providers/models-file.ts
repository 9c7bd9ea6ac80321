// MODELS_FILE: the operator's OpenAI-compatible endpoints and models, read and validated once at start-up.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { type ZodError, z } from 'zod';
import type { Endpoint, ModelInfo, Pricing } from './types.js';

/** Built-in endpoint ids a file endpoint may not take: its model ids would be ambiguous. */
export const BUILT_IN_ENDPOINTS = ['openai', 'anthropic', 'demo'] as const;
/** Most local servers run models with a context of this size or more; the file can say otherwise. */
export const DEFAULT_CONTEXT_WINDOW = 8192;
export const MODELS_FILE_PRICE_SOURCE = 'models file';

const price = z.number().min(0, 'must not be negative');
const modelSchema = z
  .object({
    id: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
    name: z.string().trim().min(1).max(200).optional(),
    pricing: z
      .object({ inputPerMillion: price, outputPerMillion: price, cachedInputPerMillion: price.optional() })
      .strict()
      .optional(),
    priceAsOf: z.iso.date('must be a date (YYYY-MM-DD)').optional(),
    contextWindow: z.number().int().positive().optional(),
    maxTokens: z.number().int().positive().optional(),
    maxTokensParam: z
      .enum(['max_tokens', 'max_completion_tokens'], { error: 'must be max_tokens or max_completion_tokens' })
      .default('max_tokens'),
    temperature: z.boolean().default(true),
  })
  .strict();

const endpointSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, "must be a-z, 0-9 and '-' (at most 40)")
      .refine((id) => !(BUILT_IN_ENDPOINTS as readonly string[]).includes(id), {
        error: 'clashes with a built-in provider (openai, anthropic, demo)',
      }),
    name: z.string().trim().min(1, 'must not be empty').max(100),
    baseURL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, not a key')
      .optional(),
    headers: z.record(z.string(), z.string()).optional(),
    discover: z.boolean().default(false),
    models: z.array(modelSchema).default([]),
  })
  .strict()
  .superRefine((endpoint, ctx) => {
    if (!endpoint.discover && endpoint.models.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['models'],
        message: 'is empty: declare models or set discover: true',
      });
    const seen = new Set<string>();
    for (const [i, model] of endpoint.models.entries()) {
      if (seen.has(model.id))
        ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `duplicates model ${model.id}` });
      seen.add(model.id);
    }
  });

const fileSchema = z
  .object({ endpoints: z.array(endpointSchema).min(1, 'must list at least one endpoint') })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    for (const [i, endpoint] of file.endpoints.entries()) {
      if (seen.has(endpoint.id))
        ctx.addIssue({
          code: 'custom',
          path: ['endpoints', i, 'id'],
          message: `duplicates endpoint ${endpoint.id}`,
        });
      seen.add(endpoint.id);
    }
  });

export type ModelDeclaration = z.infer<typeof modelSchema>;

/** One endpoint of the file, resolved: its key read from the environment, its declared models built. */
export interface FileEndpoint {
  endpoint: Endpoint;
  discover: boolean;
  declared: readonly ModelInfo[];
  /** Why the endpoint cannot be used (its key variable is not set); its models are then not offered. */
  unavailable?: string;
}

export interface ModelsFile {
  path: string;
  endpoints: FileEndpoint[];
  /** Start-up warnings to log (a missing key variable). */
  warnings: string[];
}

export class ModelsFileError extends Error {
  override name = 'ModelsFileError';
}

/** What a model needs beyond its upstream name; declared ones come from the file, discovered ones from /models. */
export interface ModelSpec {
  upstream: string;
  name?: string;
  pricing?: Pricing | null;
  priceSource?: string;
  priceAsOf?: string | null;
  contextWindow?: number;
  maxTokens?: number;
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  temperature?: boolean;
}

/** A model of a file endpoint: id `<endpoint id>/<upstream name>`, provider the endpoint's id. */
export function endpointModel(endpointId: string, spec: ModelSpec): ModelInfo {
  const contextWindow = spec.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  return {
    id: `${endpointId}/${spec.upstream}`,
    provider: endpointId,
    name: spec.name ?? spec.upstream,
    upstreamModel: spec.upstream,
    pricing: spec.pricing ?? null,
    priceSource: spec.priceSource ?? MODELS_FILE_PRICE_SOURCE,
    priceAsOf: spec.priceAsOf ?? null,
    contextWindow,
    // Without a declared limit we send none and the server's own applies, which runs to the context window.
    defaultMaxTokens: spec.maxTokens ?? contextWindow,
    capabilities: {
      temperature: spec.temperature ?? true,
      maxTokensParam: spec.maxTokensParam ?? 'max_tokens',
      sendsDefaultMaxTokens: spec.maxTokens !== undefined,
    },
  };
}

/** `['endpoints', 1, 'baseURL']` -> `endpoints[1].baseURL`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}

function describeIssue(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'is invalid';
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') return `${where} has an unknown key: ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${where} is required`;
  return `${where} ${issue.message}`;
}

function parseText(text: string, path: string): unknown {
  if (extname(path).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ModelsFileError(`Invalid models file ${path}: not valid JSON (${(err as Error).message})`);
    }
  }
  try {
    return parseYaml(text);
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw err;
    const at = err.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    const what = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
    throw new ModelsFileError(`Invalid models file ${path}: not valid YAML${where} (${what})`);
  }
}

/** Validates a file's text; keys come only from `env`, under the names the file gives. */
export function parseModelsFile(
  text: string,
  path: string,
  env: Record<string, string | undefined>,
): ModelsFile {
  const parsed = fileSchema.safeParse(parseText(text, path));
  if (!parsed.success)
    throw new ModelsFileError(`Invalid models file ${path}: ${describeIssue(parsed.error)}`);
  const warnings: string[] = [];
  const endpoints = parsed.data.endpoints.map((e, i): FileEndpoint => {
    const apiKey = e.apiKeyEnv ? env[e.apiKeyEnv]?.trim() || undefined : undefined;
    const endpoint: Endpoint = {
      id: e.id,
      name: e.name,
      wire: 'openai-chat',
      baseURL: e.baseURL.replace(/\/+$/, ''),
      ...(apiKey ? { apiKey } : {}),
      ...(e.headers ? { headers: e.headers } : {}),
    };
    const declared = e.models.map((m) =>
      endpointModel(e.id, {
        ...m,
        upstream: m.id,
        pricing: m.pricing ?? null,
        priceAsOf: m.priceAsOf ?? null,
      }),
    );
    if (e.apiKeyEnv && !apiKey) {
      const unavailable = `the environment variable ${e.apiKeyEnv} is not set`;
      warnings.push(`Models file ${path}: endpoints[${i}] (${e.id}) is unavailable: ${unavailable}`);
      return { endpoint, discover: e.discover, declared, unavailable };
    }
    return { endpoint, discover: e.discover, declared };
  });
  return { path, endpoints, warnings };
}

/** Reads and validates the file; any problem is one ModelsFileError line naming the file. */
export function loadModelsFile(path: string, env: Record<string, string | undefined>): ModelsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ModelsFileError(`Invalid models file ${path}: cannot be read (${code})`);
  }
  return parseModelsFile(text, path, env);
}
