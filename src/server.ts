// Entry point: read the configuration, build the app, listen, and close gracefully on signals.
import { existsSync } from 'node:fs';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

if (existsSync('.env')) process.loadEnvFile('.env');

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

const app = await buildApp(config);
let closing = false;

async function shutdown(signal: string) {
  if (closing) {
    app.log.warn({ signal }, 'second signal: exiting now');
    process.exit(1);
  }
  closing = true;
  app.log.info({ signal }, 'shutting down: no new streams; running comparisons get a grace period');
  // A last resort against a hang: the grace period plus time to record and close.
  const force = setTimeout(() => {
    app.log.error('shutdown took too long; exiting');
    process.exit(1);
  }, config.shutdownGraceMs + 10_000);
  force.unref();
  try {
    await app.close();
    app.log.info('closed cleanly');
    process.exit(0);
  } catch (err) {
    app.log.error({ err }, 'error while closing');
    process.exit(1);
  }
}

process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  app.log.error({ err }, 'could not start listening');
  process.exit(1);
}

if (app.devToken) {
  // Once, on stdout, apart from the log lines, so it can be copied; the secret behind it is this run's.
  process.stdout.write(
    `\nDev bearer token for user local-dev-user (valid until this process exits):\n${app.devToken}\n\n`,
  );
}
