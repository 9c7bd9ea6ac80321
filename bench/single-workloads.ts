// One stream of one OpenAI model: straight from the provider, through the bare relay, or through the app.
import { encodeSpec, now, type StreamSpec, stampOf } from './bench-spec.js';
import { openStream, postJson } from './http-client.js';
import type { RelayTarget } from './workloads.js';

/** The three paths of the relay block. direct: the provider read by the load generator itself. */
export type SinglePath = 'direct' | 'bare-relay' | 'relay-on';

export interface StreamSample {
  error?: string;
  /** Arrival of the first delta minus the moment the client started (its POST). */
  ttftMs: number;
  /** The provider receiving the request minus the moment the client started (the way in). */
  requestMs: number;
  /** Per live delta: [index of the delta in the stream, arrival at the client minus its send stamp]. */
  latency: [number, number][];
  chunks: number;
  /** Deltas sent before the client's stream was open (replayed, not a relay latency). */
  replayed: number;
}

/** Called once per stream: true when it is open, false when it failed first. */
export type StreamReady = (open: boolean) => void;

/** `w<i>@`: the delta's index within its stream, read back from its stamp. */
function indexOf(frame: string, at: number): number {
  let start = at;
  while (start > 0 && frame.charCodeAt(start - 1) >= 48 && frame.charCodeAt(start - 1) <= 57) start--;
  return Number(frame.slice(start, at));
}

/** The same body the app's OpenAI adapter sends (stream, usage), for the paths that skip the app. */
const chatBody = (model: string, prompt: string) => ({
  model,
  messages: [{ role: 'user', content: prompt }],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 4096,
});

/** One stream on one path: `base` is the provider's or the bare relay's URL, `target` the app's. */
export async function singleStream(
  path: SinglePath,
  where: { base: string; target: RelayTarget; model: string },
  user: number,
  spec: StreamSpec,
  ready: StreamReady = () => {},
): Promise<StreamSample> {
  const sample: StreamSample = {
    ttftMs: Number.NaN,
    requestMs: Number.NaN,
    latency: [],
    chunks: 0,
    replayed: 0,
  };
  let told = false;
  const tell = (open: boolean) => {
    if (told) return;
    told = true;
    ready(open);
  };
  const startedAt = now();
  let openedAt = Number.POSITIVE_INFINITY;
  const onDelta = (frame: string, arrivedAt: number) => {
    const at = frame.indexOf('@');
    if (at < 0) return;
    const stamp = stampOf(frame);
    if (!stamp) return;
    sample.chunks++;
    if (sample.chunks === 1) {
      sample.ttftMs = arrivedAt - startedAt;
      sample.requestMs = stamp.requestArrivedAt - startedAt;
    }
    if (stamp.sentAt < openedAt) sample.replayed++;
    else sample.latency.push([indexOf(frame, at), arrivedAt - stamp.sentAt]);
  };
  try {
    let url: string;
    let init: Parameters<typeof openStream>[1];
    const prompt = encodeSpec(spec);
    if (path === 'relay-on') {
      const { target } = where;
      const auth = { authorization: `Bearer ${target.token(user)}` };
      const created = await postJson(`${target.url}/comparison`, { prompt, modelIds: [where.model] }, auth);
      const body = created.body as { streamUrl?: string } | undefined;
      if (created.status !== 201 || !body?.streamUrl) {
        sample.error = `POST /comparison ${created.status}: ${JSON.stringify(created.body).slice(0, 200)}`;
        return sample;
      }
      url = `${target.url}${body.streamUrl}`;
      init = {
        onFrame: (frame, at) => {
          if (frame.includes('event: model_chunk')) onDelta(frame, at);
        },
      };
    } else {
      url = `${where.base}/v1/chat/completions`;
      init = {
        method: 'POST',
        body: chatBody(where.model, prompt),
        headers: { authorization: 'Bearer sk-bench' },
        onFrame: onDelta,
      };
    }
    const stream = openStream(url, init);
    // A reset before the head (a keep-alive socket the server closed meanwhile) rejects both
    // promises: `done` must not go unhandled when `opened` throws first.
    stream.done.catch(() => {});
    openedAt = await stream.opened;
    tell(true);
    const status = await stream.done;
    if (status !== 200) sample.error = `stream answered ${status}`;
    else if (sample.chunks !== spec.deltas) sample.error = `${sample.chunks}/${spec.deltas} deltas`;
  } catch (err) {
    sample.error = String(err);
  } finally {
    tell(false);
  }
  return sample;
}
