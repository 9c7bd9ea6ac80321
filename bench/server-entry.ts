// Bench-only entry: the real app from the environment, listening on a free port, probed over IPC.
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { stdoutLogStream } from '../src/logger.js';
import { announceReady, startProbe } from './child-probe.js';

// The log destination src/server.ts uses.
const app = await buildApp(loadConfig(process.env), { logStream: stdoutLogStream() });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') throw new Error('server: no TCP address');

startProbe({
  resolutionMs: Number(process.env.BENCH_ELD_RESOLUTION_MS ?? 2),
  handlers: {
    async close() {
      await app.close();
      // After the reply has gone out; a normal exit also writes the --cpu-prof profile.
      setTimeout(() => process.exit(0), 50);
      return true;
    },
  },
});
announceReady(`http://127.0.0.1:${address.port}`);
