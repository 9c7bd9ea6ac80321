// The benchmark's loopback provider: OpenAI chat chunks and Anthropic message events, built from templates.
/*
 * Lean on purpose: it shares two cores with the server under test, so each event is one template
 * string with the delta JSON-escaped into it, not an object serialised per chunk. It speaks only the
 * streaming happy path (the test suite's provider server in test/support/ covers faults, errors and
 * quirks), with the usage chunk and `[DONE]` for OpenAI and the named events for Anthropic, as the
 * official SDKs expect them.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Wire = 'openai' | 'anthropic';

export interface UpstreamRequest {
  wire: Wire;
  body: Record<string, unknown>;
}

export interface UpstreamStream {
  deltas: string[];
  intervalMs: number;
  firstDelayMs: number;
  /** The first delta waits for it (the headers and the opening events go out before). */
  gate?: Promise<unknown>;
  /** Rewrites each delta just before it is written (the benchmark stamps send times into it). */
  atSend?: (text: string, index: number) => string;
}

export type UpstreamAnswer = UpstreamStream | { status: number; body: unknown };

const openaiEvents = (model: string, includeUsage: boolean) => {
  const head = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(model)},"system_fingerprint":"fp_bench","choices":[`;
  const usageNull = includeUsage ? ',"usage":null' : '';
  return {
    start: `${head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`,
    delta: (text: string) =>
      `${head}{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]${usageNull}}\n\n`,
    finish: (outputTokens: number) =>
      `${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]${usageNull}}\n\n` +
      (includeUsage
        ? `${head}],"usage":{"prompt_tokens":12,"completion_tokens":${outputTokens},"total_tokens":${12 + outputTokens},"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}\n\n`
        : '') +
      'data: [DONE]\n\n',
  };
};

const anthropicEvents = (model: string) => ({
  start:
    `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":${JSON.stringify(model)},"content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n` +
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  delta: (text: string) =>
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}\n\n`,
  finish: (outputTokens: number) =>
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
    `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${outputTokens}}}\n\n` +
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
});

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

async function stream(res: ServerResponse, wire: Wire, body: Record<string, unknown>, s: UpstreamStream) {
  const model = typeof body.model === 'string' ? body.model : '';
  const options = body.stream_options as { include_usage?: unknown } | undefined;
  const events =
    wire === 'openai' ? openaiEvents(model, options?.include_usage === true) : anthropicEvents(model);
  let gone = false;
  res.on('close', () => {
    gone = !res.writableEnded;
  });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.write(events.start);
  if (s.gate) await s.gate;
  for (const [i, text] of s.deltas.entries()) {
    const wait = i === 0 ? s.firstDelayMs : s.intervalMs;
    if (wait > 0) await sleep(wait);
    if (gone) return;
    res.write(events.delta(s.atSend ? s.atSend(text, i) : text));
  }
  if (s.intervalMs > 0) await sleep(s.intervalMs);
  if (gone) return;
  res.end(events.finish(s.deltas.length));
}

export async function startUpstreamServer(answer: (request: UpstreamRequest) => UpstreamAnswer) {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const wire: Wire | undefined = path.endsWith('/chat/completions')
      ? 'openai'
      : path.endsWith('/messages')
        ? 'anthropic'
        : undefined;
    if (!wire)
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such route"}');
    const body = await readBody(req);
    const a = answer({ wire, body });
    if ('status' in a)
      return void res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    await stream(res, wire, body, a);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
