// MODELS_FILE: the example loads, and every bad file stops start-up with one line naming the file, the path and the fault.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadModelsFile, ModelsFileError, parseModelsFile } from '../../src/providers/models-file.js';

const parse = (text: string, env: Record<string, string> = {}) => parseModelsFile(text, 'models.yaml', env);
const failure = (text: string) => {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof ModelsFileError) return err.message;
    throw err;
  }
  throw new Error('expected the file to be refused');
};
const endpoint = (body: string) =>
  `endpoints:\n  - id: ok\n    name: Ok\n    baseURL: http://127.0.0.1:1/v1\n    discover: true\n  - ${body}`;

describe('models.example.yaml', () => {
  it('loads: ids, names, prices, capabilities and keys from the variables it names', () => {
    const file = loadModelsFile('models.example.yaml', { OPENROUTER_API_KEY: 'sk-or-test-key' });
    expect(file.endpoints.map((e) => e.endpoint.id)).toEqual([
      'ollama',
      'llamacpp',
      'vllm',
      'lmstudio',
      'openrouter',
    ]);
    const openrouter = file.endpoints[4];
    expect(openrouter?.endpoint).toMatchObject({
      name: 'OpenRouter',
      wire: 'openai-chat',
      apiKey: 'sk-or-test-key',
    });
    const [gemini, o4] = openrouter?.declared ?? [];
    expect(gemini).toMatchObject({
      id: 'openrouter/google/gemini-2.5-flash',
      provider: 'openrouter',
      upstreamModel: 'google/gemini-2.5-flash',
      pricing: { inputPerMillion: 0.3, outputPerMillion: 2.5 },
      priceSource: 'models file',
      priceAsOf: '2025-11-01',
      defaultMaxTokens: 8192,
      capabilities: { temperature: true, maxTokensParam: 'max_tokens', sendsDefaultMaxTokens: true },
    });
    expect(o4).toMatchObject({
      pricing: null,
      priceAsOf: null,
      capabilities: {
        temperature: false,
        maxTokensParam: 'max_completion_tokens',
        sendsDefaultMaxTokens: false,
      },
    });
    // VLLM_API_KEY is not set: a warning, and the endpoint offers nothing.
    expect(file.warnings).toEqual([
      'Models file models.example.yaml: endpoints[2] (vllm) is unavailable: the environment variable VLLM_API_KEY is not set',
    ]);
    expect(file.endpoints[2]?.unavailable).toMatch(/VLLM_API_KEY/);
  });

  it('reads JSON by extension, through loadConfig', () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-file-'));
    const path = join(dir, 'models.json');
    writeFileSync(
      path,
      JSON.stringify({ endpoints: [{ id: 'x', name: 'X', baseURL: 'http://h/v1', models: [{ id: 'm' }] }] }),
    );
    const config = loadConfig({ MODELS_FILE: path, MODELS_REFRESH_SECONDS: '30' });
    expect(config.providers.modelsFile?.endpoints[0]?.declared[0]?.id).toBe('x/m');
    expect(config.providers.modelsRefreshSeconds).toBe(30);
    expect(loadConfig({}).providers.modelsRefreshSeconds).toBe(600);
    expect(() => loadConfig({ MODELS_REFRESH_SECONDS: '0' })).toThrow(
      'MODELS_REFRESH_SECONDS must be at least 1',
    );
    expect(() => loadConfig({ MODELS_FILE: join(dir, 'missing.yaml') })).toThrow(
      new ConfigError(`Invalid models file ${join(dir, 'missing.yaml')}: cannot be read (ENOENT)`),
    );
  });
});

describe('a bad models file', () => {
  it.each([
    [
      'a base URL that is not http(s)',
      endpoint('id: b\n    name: B\n    baseURL: ftp://h/v1\n    discover: true'),
      'endpoints[1].baseURL must be an http:// or https:// URL',
    ],
    [
      'a duplicate endpoint id',
      endpoint('id: ok\n    name: B\n    baseURL: http://h/v1\n    discover: true'),
      'endpoints[1].id duplicates endpoint ok',
    ],
    [
      'a built-in id',
      endpoint('id: openai\n    name: B\n    baseURL: http://h/v1\n    discover: true'),
      'endpoints[1].id clashes with a built-in provider (openai, anthropic, demo)',
    ],
    [
      'a bad id',
      endpoint('id: My Server\n    name: B\n    baseURL: http://h/v1\n    discover: true'),
      "endpoints[1].id must be a-z, 0-9 and '-' (at most 40)",
    ],
    [
      'a duplicate model id',
      endpoint('id: b\n    name: B\n    baseURL: http://h/v1\n    models: [{ id: m }, { id: m }]'),
      'endpoints[1].models[1].id duplicates model m',
    ],
    [
      'a negative price',
      endpoint(
        'id: b\n    name: B\n    baseURL: http://h/v1\n    models:\n      - id: m\n        pricing: { inputPerMillion: -1, outputPerMillion: 0 }',
      ),
      'endpoints[1].models[0].pricing.inputPerMillion must not be negative',
    ],
    [
      'a key instead of a variable name',
      endpoint(
        'id: b\n    name: B\n    baseURL: http://h/v1\n    apiKeyEnv: sk-live-123\n    discover: true',
      ),
      'endpoints[1].apiKeyEnv must be the name of an environment variable, not a key',
    ],
    [
      'no models and no discovery',
      endpoint('id: b\n    name: B\n    baseURL: http://h/v1'),
      'endpoints[1].models is empty: declare models or set discover: true',
    ],
    [
      'a misspelt key',
      endpoint('id: b\n    name: B\n    baseURL: http://h/v1\n    discovr: true'),
      'endpoints[1] has an unknown key: discovr',
    ],
    [
      'a missing name',
      endpoint('id: b\n    baseURL: http://h/v1\n    discover: true'),
      'endpoints[1].name is required',
    ],
    ['no endpoints', 'endpoints: []', 'endpoints must list at least one endpoint'],
    ['broken YAML', 'endpoints:\n  - id: [oops', 'not valid YAML at line 2'],
  ])('%s', (_what, text, message) => {
    const line = failure(text);
    expect(line).toContain(`Invalid models file models.yaml: ${message}`);
    expect(line).not.toContain('\n');
  });
});
