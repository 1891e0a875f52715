import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

/** Listens on a free port, prints the start-up line the bench reads, and closes on SIGTERM. */
export async function serveBaseline(app: FastifyInstance, pool: pg.Pool): Promise<void> {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`bare Fastify + raw pg listening on ${url}`);
  process.once(
    'SIGTERM',
    () =>
      void app
        .close()
        .then(() => pool.end())
        .then(() => process.exit(0)),
  );
}
