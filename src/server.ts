import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { resolveJwtSecret } from './lib/jwt-secret.ts';
import { describeStartupError, openMigratedDatabase } from './runtime.ts';

/**
 * Readable logs for a person at a terminal. pino-pretty is a development dependency, absent from the
 * production image, where `docker run -it` still gives a TTY: then the logs stay JSON.
 */
function prettyLogs() {
  if (!process.stdout.isTTY) return {};
  try {
    import.meta.resolve('pino-pretty');
  } catch {
    return {};
  }
  return { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } };
}

const started = performance.now();
let database: Awaited<ReturnType<typeof openMigratedDatabase>> | undefined;
try {
  const config = loadConfig(process.env);
  database = await openMigratedDatabase(config);
  const app = await buildApp(config, {
    database,
    jwtSecret: resolveJwtSecret(config),
    logger: { level: config.LOG_LEVEL, ...prettyLogs() },
  });
  const db = database;
  // First signal: stop taking requests, finish the ones in flight, then close the database (which
  // they use). A second signal, or a shutdown longer than SHUTDOWN_TIMEOUT_MS, exits at once.
  closeWithGrace(
    {
      delay: config.SHUTDOWN_TIMEOUT_MS,
      logger: { error: (err) => app.log.error({ err }, 'shutdown failed') },
      onSecondSignal: (signal) => app.log.error({ signal }, 'second signal during shutdown: exiting now'),
      onTimeout: (delay) => app.log.error({ delay }, 'shutdown took too long: exiting now'),
    },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'shutting down after an uncaught error');
      else app.log.info({ signal }, 'shutting down');
      await app.close();
      await db.close();
    },
  );
  await app.listen({
    host: config.HOST,
    port: config.PORT,
    listenTextResolver: (address) => `SEND Mediator Register listening on ${address} (docs at ${address}/docs; ${db.kind}; started in ${Math.round(performance.now() - started)} ms)`,
  });
} catch (err) {
  console.error(describeStartupError(err));
  await database?.close().catch(() => {});
  process.exit(1);
}
