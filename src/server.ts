// Entry point: read the configuration, build the app, listen, and close gracefully on signals.
import { existsSync } from 'node:fs';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DatabaseOpenError } from './db/pg-client.js';
import { stdoutLogStream } from './logger.js';

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

const logStream = stdoutLogStream();

let app: Awaited<ReturnType<typeof buildApp>>;
try {
  app = await buildApp(config, { logStream });
} catch (err) {
  // A database that cannot be opened (Postgres down, a bad password): one line, no stack, exit 1.
  if (err instanceof DatabaseOpenError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
let closing = false;
let force: NodeJS.Timeout | undefined;

/** A last resort against a hang, once close() has had `ms` to finish. */
function exitAfter(ms: number) {
  clearTimeout(force);
  force = setTimeout(() => {
    app.log.error('shutdown took too long; exiting');
    process.exit(1);
  }, ms);
  force.unref();
}

async function shutdown(signal: string) {
  if (closing) {
    // The operator does not want to wait: running comparisons are cancelled and recorded now, open
    // streams get their endings, the database closes, and the first close() then exits 0 as usual.
    app.log.warn({ signal }, 'second signal: cancelling running comparisons now');
    exitAfter(5_000);
    app.comparisons.stopAccepting();
    await app.comparisons
      .cancelAll('Cancelled: the server shut down')
      .catch((err) => app.log.error({ err }, 'cancelling at once failed'));
    return;
  }
  closing = true;
  app.log.info({ signal }, 'shutting down: no new streams; running comparisons get a grace period');
  // The grace period plus time to record and close.
  exitAfter(config.shutdownGraceMs + 10_000);
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
