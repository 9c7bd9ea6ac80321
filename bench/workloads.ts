// One comparison of two models, through the relay (POST then SSE) or straight from the provider server.
import { encodeSpec, now, type StreamSpec, stampOf, type WireLetter } from './bench-spec.js';
import { openStream, postJson } from './http-client.js';

export interface RelayTarget {
  url: string;
  /** The bearer token of a benchmark user. */
  token(user: number): string;
  models: { openai: string; anthropic: string };
}

export interface ComparisonSample {
  error?: string;
  /** Per model: arrival of its first delta minus the moment the client started the comparison. */
  ttftMs: number[];
  /** Per model: the provider receiving the request minus the moment the client started (the way in). */
  requestMs: number[];
  /** Per model: arrival of the first delta minus its send stamp (the way out). */
  firstChunkMs: number[];
  /** Per live delta: arrival at the client minus its send stamp (stamped specs only). */
  chunkLatencyMs: number[];
  /** Text deltas received (model_chunk frames through the relay). */
  chunks: number;
  /** Stamped deltas sent before the client's stream was open (replayed, so not a relay latency). */
  replayed: number;
  firstChunkAt: number;
  lastChunkAt: number;
  sessionId?: string;
}

/** Called once per comparison: true when its streams are open, false when it failed first. */
export type Ready = (open: boolean) => void;

function once(fn: Ready): Ready {
  let called = false;
  return (open) => {
    if (called) return;
    called = true;
    fn(open);
  };
}

export function emptySample(): ComparisonSample {
  return {
    ttftMs: [],
    requestMs: [],
    firstChunkMs: [],
    chunkLatencyMs: [],
    chunks: 0,
    replayed: 0,
    firstChunkAt: Number.NaN,
    lastChunkAt: Number.NaN,
  };
}

/** Tracks one comparison's deltas, whichever path they came by. */
function tracker(startedAt: number, sample: ComparisonSample, collectLatency: boolean) {
  const first = new Map<WireLetter, number>();
  return {
    delta(frame: string, arrivedAt: number, openedAt: number) {
      sample.chunks++;
      if (!(sample.firstChunkAt <= arrivedAt)) sample.firstChunkAt = arrivedAt;
      sample.lastChunkAt = arrivedAt;
      const stamp = stampOf(frame);
      if (!stamp) return;
      if (!first.has(stamp.wire)) {
        first.set(stamp.wire, arrivedAt);
        sample.ttftMs.push(arrivedAt - startedAt);
        sample.requestMs.push(stamp.requestArrivedAt - startedAt);
        sample.firstChunkMs.push(arrivedAt - stamp.sentAt);
      }
      if (!collectLatency) return;
      if (stamp.sentAt < openedAt) sample.replayed++;
      else sample.chunkLatencyMs.push(arrivedAt - stamp.sentAt);
    },
  };
}

const eventOf = (frame: string): string | undefined => {
  const at = frame.indexOf('event: ');
  if (at < 0) return undefined;
  const end = frame.indexOf('\n', at);
  return frame.slice(at + 7, end < 0 ? undefined : end);
};

/** POST /comparison, then read its stream to the end, as a browser would (without EventSource). */
export async function relayComparison(
  target: RelayTarget,
  user: number,
  spec: StreamSpec,
  collectLatency: boolean,
  ready: Ready = () => {},
): Promise<ComparisonSample> {
  const sample = emptySample();
  const isReady = once(ready);
  const startedAt = now();
  const auth = { authorization: `Bearer ${target.token(user)}` };
  try {
    const created = await postJson(
      `${target.url}/comparison`,
      { prompt: encodeSpec(spec), modelIds: [target.models.openai, target.models.anthropic] },
      auth,
    );
    const body = created.body as { sessionId?: string; streamUrl?: string } | undefined;
    if (created.status !== 201 || !body?.streamUrl) {
      sample.error = `POST /comparison ${created.status}: ${JSON.stringify(created.body).slice(0, 200)}`;
      return sample;
    }
    sample.sessionId = body.sessionId;
    const track = tracker(startedAt, sample, collectLatency);
    const ends = { complete: 0, error: 0, final: '' };
    let openedAt = Number.POSITIVE_INFINITY;
    const stream = openStream(`${target.url}${body.streamUrl}`, {
      onFrame(frame, arrivedAt) {
        const event = eventOf(frame);
        if (event === 'model_chunk') track.delta(frame, arrivedAt, openedAt);
        else if (event === 'model_complete') ends.complete++;
        else if (event === 'model_error') ends.error++;
        else if (event === 'comparison_complete' || event === 'comparison_error') ends.final = event;
      },
    });
    stream.done.catch(() => {}); // handled below; must not go unhandled when `opened` throws first
    openedAt = await stream.opened;
    isReady(true);
    const status = await stream.done;
    const expected = 2 * spec.deltas;
    if (status !== 200) sample.error = `stream answered ${status}`;
    else if (ends.final !== 'comparison_complete' || ends.complete !== 2 || sample.chunks !== expected)
      sample.error = `stream ended with ${ends.final || 'no final event'}, ${ends.complete} model_complete, ${ends.error} model_error, ${sample.chunks}/${expected} chunks`;
  } catch (err) {
    sample.error = String(err);
  } finally {
    isReady(false);
  }
  return sample;
}

/** The same two streams read straight from the provider server: the baseline the relay adds to. */
/** An OpenAI chunk with text, or an Anthropic text_delta: what the relay turns into a model_chunk. */
const isTextDelta = (frame: string) => frame.includes('"content":"') || frame.includes('"text_delta"');

export async function directComparison(
  providerUrl: string,
  models: { openai: string; anthropic: string },
  spec: StreamSpec,
  collectLatency: boolean,
  ready: Ready = () => {},
): Promise<ComparisonSample> {
  const sample = emptySample();
  const isReady = once(ready);
  let opened = 0;
  const startedAt = now();
  const track = tracker(startedAt, sample, collectLatency);
  const prompt = encodeSpec(spec);
  const read = async (path: string, body: object) => {
    let openedAt = Number.POSITIVE_INFINITY;
    const stream = openStream(`${providerUrl}${path}`, {
      method: 'POST',
      body,
      headers: { authorization: 'Bearer sk-bench', 'x-api-key': 'sk-bench' },
      onFrame(frame, arrivedAt) {
        // Stamped deltas carry an '@'; unstamped ones (throughput) are counted by their wire shape.
        if (spec.stamp ? frame.includes('@') : isTextDelta(frame)) track.delta(frame, arrivedAt, openedAt);
      },
    });
    stream.done.catch(() => {}); // handled below; must not go unhandled when `opened` throws first
    openedAt = await stream.opened;
    if (++opened === 2) isReady(true);
    return stream.done;
  };
  try {
    const statuses = await Promise.all([
      read('/v1/chat/completions', {
        model: models.openai,
        messages: [{ role: 'user', content: prompt }],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 4096,
      }),
      read('/v1/messages', {
        model: models.anthropic,
        max_tokens: 4096,
        messages: [{ role: 'user', content: prompt }],
        stream: true,
      }),
    ]);
    if (statuses.some((s) => s !== 200)) sample.error = `provider answered ${statuses.join(', ')}`;
    else if (spec.stamp && sample.chunks !== 2 * spec.deltas)
      sample.error = `${sample.chunks}/${2 * spec.deltas} deltas`;
  } catch (err) {
    sample.error = String(err);
  } finally {
    isReady(false);
  }
  return sample;
}

/** Cancels a running comparison (memory blocks hold comparisons open, then end them this way). */
export async function cancelComparison(
  target: RelayTarget,
  user: number,
  sessionId: string,
): Promise<number> {
  const res = await postJson(
    `${target.url}/comparison/${sessionId}/cancel`,
    {},
    {
      authorization: `Bearer ${target.token(user)}`,
    },
  );
  return res.status;
}
