import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { resolveJwtSecret } from './lib/jwt-secret.ts';
import { describeStartupError, openMigratedDatabase } from './runtime.ts';

const started = performance.now();
let database: Awaited<ReturnType<typeof openMigratedDatabase>> | undefined;
try {
  const config = loadConfig(process.env);
  database = await openMigratedDatabase(config);
  const app = await buildApp(config, {
    database,
    jwtSecret: resolveJwtSecret(config),
    logger: {
      level: config.LOG_LEVEL,
      ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } } } : {}),
    },
  });
  const db = database;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    try {
      await app.close();
      await db.close();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({
    host: config.HOST,
    port: config.PORT,
    listenTextResolver: (address) =>
      `SEND Mediator Register listening on ${address} (docs at ${address}/docs; ${db.kind}; started in ${Math.round(performance.now() - started)} ms)`,
  });
} catch (err) {
  console.error(describeStartupError(err));
  await database?.close().catch(() => {});
  process.exit(1);
}
