// Bench-only entry: the loopback provider server (OpenAI and Anthropic wires) streaming what each prompt asks for.
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeSpec, now, promptOf, stampText } from './bench-spec.js';
import { announceReady, startProbe } from './child-probe.js';
import { startUpstreamServer } from './upstream-server.js';

/**
 * Gated streams wait for the next `release`: a block opens every stream, then releases them together.
 * `release` waits until that many gated requests have arrived: a relay's stream can be open before
 * its upstream requests reach us, and a late one must not wait for the next block's gate.
 */
let release: () => void = () => {};
let gate = new Promise<void>((resolve) => {
  release = resolve;
});
let gatedWaiting = 0;

/** Resolves with the gated requests waiting, once `expected` have arrived or the timeout passed. */
async function arrived(expected: number, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (gatedWaiting < expected && performance.now() < deadline) await sleep(2);
  return gatedWaiting;
}

async function releaseWhen(expected: number, timeoutMs = 60_000): Promise<number> {
  const waited = await arrived(expected, timeoutMs);
  release();
  gatedWaiting = 0;
  gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  if (waited < expected) throw new Error(`release: only ${waited} of ${expected} gated streams arrived`);
  return now();
}

const server = await startUpstreamServer((request) => {
  const arrivedAt = now();
  const spec = decodeSpec(promptOf(request.body));
  if (!spec) return { status: 400, body: { error: { message: 'not a benchmark prompt' } } };
  const wire = request.wire === 'openai' ? 'o' : 'a';
  if (spec.gated) gatedWaiting++;
  return {
    deltas: Array.from({ length: spec.deltas }, (_, i) => `w${i} `),
    intervalMs: spec.intervalMs,
    firstDelayMs: spec.firstDelayMs + Math.random() * (spec.jitterMs ?? 0),
    ...(spec.gated ? { gate } : {}),
    ...(spec.stamp ? { atSend: (_text: string, i: number) => stampText(i, wire, arrivedAt) } : {}),
  };
});

startProbe({
  resolutionMs: 10,
  handlers: {
    release: (expected) => releaseWhen(Number(expected)),
    // The relay block reads the server's CPU between the set-ups' end and the release.
    arrived: (expected) => arrived(Number(expected)),
    // Nothing to forget: the upstream server records no requests.
    forget: () => true,
    async close() {
      await server.close();
      setTimeout(() => process.exit(0), 50);
      return true;
    },
  },
});
announceReady(server.url);
