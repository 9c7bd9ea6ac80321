// Recorded answers of OpenAI-compatible servers, byte for byte as each sends them (ids and times fixed).
/*
 * A stream fixture is the list of writes the server makes, each an SSE frame ("data: …\n\n" or a
 * ": comment\n\n"). The shapes follow each server's source or documentation: Ollama
 * (openai/openai.go: fp_ollama, a role on the first delta, reasoning in `reasoning`, a finish chunk
 * with an empty delta), vLLM (protocol.py: usage on every chunk with continuous_usage_stats,
 * reasoning_content), Groq (x_groq.usage), Mistral and Gemini (usage on the finish chunk),
 * OpenRouter (keep-alive comments, usage.cost, an error chunk with finish_reason "error"), DeepSeek
 * (reasoning_content, prompt_cache_hit_tokens), Azure (a first chunk with empty choices).
 */

const frame = (json: string) => `data: ${json}\n\n`;
const DONE = 'data: [DONE]\n\n';

const ollama = (delta: string, finish = 'null') =>
  frame(
    `{"id":"chatcmpl-812","object":"chat.completion.chunk","created":1760000000,"model":"qwen3:4b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":${delta},"finish_reason":${finish}}]}`,
  );

/** Ollama without stream_options honoured (before 0.5): no usage anywhere; reasoning under `reasoning`. */
export const ollamaReasoningNoUsage = [
  ollama('{"role":"assistant","content":"","reasoning":"The user greets. "}'),
  ollama('{"content":"","reasoning":"Answer briefly."}'),
  ollama('{"content":"Hello"}'),
  ollama('{"content":" there!"}'),
  ollama('{}', '"stop"'),
  DONE,
];

const vllm = (delta: string, finish: string, usage: string) =>
  frame(
    `{"id":"chatcmpl-b5f1","object":"chat.completion.chunk","created":1760000001,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}],"usage":${usage}}`,
  );
const vllmUsage = (completion: number) =>
  `{"prompt_tokens":17,"total_tokens":${17 + completion},"completion_tokens":${completion}}`;

/** vLLM with stream_options {include_usage, continuous_usage_stats}: running totals on every chunk. */
export const vllmContinuousUsage = [
  vllm('{"role":"assistant","content":""}', 'null', vllmUsage(0)),
  vllm('{"reasoning_content":"Think."}', 'null', vllmUsage(1)),
  vllm('{"content":"One"}', 'null', vllmUsage(2)),
  vllm('{"content":" two"}', 'null', vllmUsage(3)),
  vllm('{"content":""}', '"stop"', vllmUsage(4)),
  frame(
    `{"id":"chatcmpl-b5f1","object":"chat.completion.chunk","created":1760000001,"model":"Qwen/Qwen3-8B","choices":[],"usage":${vllmUsage(4)}}`,
  ),
  DONE,
];

const groq = (choice: string, extra = '') =>
  frame(
    `{"id":"chatcmpl-9c2e","object":"chat.completion.chunk","created":1760000002,"model":"llama-3.1-8b-instant","system_fingerprint":"fp_f7bd09b454","choices":[${choice}]${extra}}`,
  );

/** Groq without include_usage: the usage arrives in x_groq on the last chunk. */
export const groqXGroqUsage = [
  groq(
    '{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}',
    ',"x_groq":{"id":"req_01k0"}',
  ),
  groq('{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}'),
  groq('{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}'),
  groq(
    '{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}',
    ',"x_groq":{"id":"req_01k0","usage":{"queue_time":0.021,"prompt_tokens":38,"prompt_time":0.002,"completion_tokens":2,"completion_time":0.001,"total_tokens":40,"total_time":0.003}}',
  ),
  DONE,
];

const mistral = (choice: string, extra = '') =>
  frame(
    `{"id":"2d4b3a0f","object":"chat.completion.chunk","created":1760000003,"model":"mistral-small-latest","choices":[${choice}]${extra}}`,
  );

/** Mistral: usage on the finish chunk, with the last text. */
export const mistralUsageOnLastChunk = [
  mistral('{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}'),
  mistral('{"index":0,"delta":{"content":"Bonjour"},"finish_reason":null}'),
  mistral(
    '{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}',
    ',"usage":{"prompt_tokens":9,"total_tokens":12,"completion_tokens":3}',
  ),
  DONE,
];

/** Mistral's 422 for a parameter it does not take (pydantic's extra_forbidden). */
export const mistralStreamOptions422 =
  '{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","stream_options"],"msg":"Extra inputs are not permitted","input":{"include_usage":true}}]},"type":"invalid_request_error","param":null,"code":null}';

/** Older Groq's 400 for the same. */
export const groqStreamOptions400 =
  '{"error":{"message":"property \'stream_options\' is unsupported, did you mean \'stream\'?","type":"invalid_request_error"}}';

const openrouter = (choice: string, extra = '') =>
  frame(
    `{"id":"gen-1760000004-Xq","provider":"Google","model":"google/gemini-2.5-flash","object":"chat.completion.chunk","created":1760000004,"choices":[${choice}]${extra}}`,
  );

/** OpenRouter: keep-alive comments, reasoning under `reasoning`, usage with its cost after the finish. */
export const openrouterReasoningCost = [
  ': OPENROUTER PROCESSING\n\n',
  ': OPENROUTER PROCESSING\n\n',
  openrouter(
    '{"index":0,"delta":{"role":"assistant","content":"","reasoning":"Considering."},"finish_reason":null,"native_finish_reason":null,"logprobs":null}',
  ),
  openrouter(
    '{"index":0,"delta":{"role":"assistant","content":"Yes.","reasoning":null},"finish_reason":null,"native_finish_reason":null,"logprobs":null}',
  ),
  openrouter(
    '{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop","native_finish_reason":"STOP","logprobs":null}',
  ),
  openrouter(
    '',
    ',"usage":{"prompt_tokens":14,"completion_tokens":25,"total_tokens":39,"cost":0.0000667,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0},"cost_details":{"upstream_inference_cost":null},"completion_tokens_details":{"reasoning_tokens":22}}',
  ),
  DONE,
];

/** OpenRouter: a provider failing after the first words, inside a 200 stream. */
export const openrouterMidStreamError = [
  ': OPENROUTER PROCESSING\n\n',
  openrouter('{"index":0,"delta":{"role":"assistant","content":"Once upon"},"finish_reason":null}'),
  openrouter(
    '{"index":0,"delta":{"content":""},"finish_reason":"error"}',
    ',"error":{"code":502,"message":"Provider disconnected unexpectedly"}',
  ),
  DONE,
];

/** A stream that says finish_reason "error" with no error object. */
export const finishReasonErrorOnly = [
  openrouter('{"index":0,"delta":{"role":"assistant","content":"Half"},"finish_reason":null}'),
  openrouter('{"index":0,"delta":{"content":""},"finish_reason":"error"}'),
  DONE,
];

const deepseek = (choice: string, usage = 'null') =>
  frame(
    `{"id":"5f0c","object":"chat.completion.chunk","created":1760000005,"model":"deepseek-reasoner","system_fingerprint":"fp_7e0991cad4_prod0820","choices":[${choice}],"usage":${usage}}`,
  );

/** DeepSeek's reasoner: reasoning_content first (content null), then the answer; its cache counts in usage. */
export const deepseekReasoningContent = [
  deepseek(
    '{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}',
  ),
  deepseek(
    '{"index":0,"delta":{"content":null,"reasoning_content":"Two plus two."},"logprobs":null,"finish_reason":null}',
  ),
  deepseek(
    '{"index":0,"delta":{"content":"4","reasoning_content":null},"logprobs":null,"finish_reason":null}',
  ),
  deepseek(
    '{"index":0,"delta":{"content":"","reasoning_content":null},"logprobs":null,"finish_reason":"stop"}',
  ),
  frame(
    '{"id":"5f0c","object":"chat.completion.chunk","created":1760000005,"model":"deepseek-reasoner","system_fingerprint":"fp_7e0991cad4_prod0820","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":7},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":12}}',
  ),
  DONE,
];

/** Azure OpenAI: a first chunk with empty choices carrying the prompt filter results. */
export const azureFilterChunk = [
  frame(
    '{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}',
  ),
  frame(
    '{"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1760000006,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}',
  ),
  frame(
    '{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"delta":{"content":"Ok"},"finish_reason":null,"index":0,"logprobs":null}],"created":1760000006,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}',
  ),
  frame(
    '{"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1760000006,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_ee1d74bde0"}',
  ),
  DONE,
];

/** A server that stops after some text: [DONE] with no finish_reason ever sent. */
export const noFinish = [ollama('{"role":"assistant","content":"Cut"}'), ollama('{"content":" off"}'), DONE];

/** An `error` chunk as vLLM and llama.cpp send one mid-stream. */
export const vllmErrorChunk = [
  vllm('{"role":"assistant","content":"Par"}', 'null', vllmUsage(1)),
  frame(
    '{"error":{"object":"error","message":"CUDA out of memory","type":"InternalServerError","param":null,"code":500}}',
  ),
  DONE,
];

/** Error bodies that are not OpenAI-shaped, each with its content type. */
export const errorBodies = {
  ollamaPlain: {
    status: 404,
    type: 'application/json; charset=utf-8',
    body: '{"error":"model \\"llama9\\" not found, try pulling it first"}',
  },
  geminiArray: {
    status: 400,
    type: 'application/json; charset=UTF-8',
    body: '[{\n  "error": {\n    "code": 400,\n    "message": "API key not valid. Please pass a valid API key.",\n    "status": "INVALID_ARGUMENT"\n  }\n}\n]',
  },
  vllmObject: {
    status: 404,
    type: 'application/json',
    body: '{"object":"error","message":"The model `llama9` does not exist.","type":"NotFoundError","param":null,"code":404}',
  },
  nginxHtml: {
    status: 502,
    type: 'text/html',
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.24.0</center>\r\n</body>\r\n</html>\r\n',
  },
} as const;
