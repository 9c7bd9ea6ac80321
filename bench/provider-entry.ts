// Bench-only entry: the loopback provider server (OpenAI and Anthropic wires) streaming what each prompt asks for.
import { startProviderServer } from '../test/support/provider-server.js';
import { decodeSpec, promptOf, stampText } from './bench-spec.js';
import { announceReady, startProbe } from './child-probe.js';

const server = await startProviderServer((request) => {
  const spec = decodeSpec(promptOf(request.body));
  if (!spec) return { status: 400, body: { error: { message: 'not a benchmark prompt' } } };
  const wire = request.wire === 'openai' ? 'o' : 'a';
  return {
    deltas: spec.deltas,
    intervalMs: spec.intervalMs,
    firstDelayMs: spec.firstDelayMs,
    ...(spec.stamp ? { atSend: (_text: string, i: number) => stampText(i, wire) } : {}),
  };
});

startProbe({
  resolutionMs: 10,
  handlers: {
    // The server records every request; a long run would otherwise keep them all.
    forget: () => {
      server.reset();
      return true;
    },
    async close() {
      await server.close();
      setTimeout(() => process.exit(0), 50);
      return true;
    },
  },
});
announceReady(server.url);
