import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import pg from 'pg';
import { serveBaseline } from './serve.ts';

// The stack-overhead baseline: the statements GET /v1/register sent for each search of the mix
// (recorded from the real app by the bench), replayed by a bare Fastify route on raw `pg`, with the
// same pool size. No validation, serialisation schemas, hooks, plugins or logging.
const statements = JSON.parse(readFileSync(process.env.SEARCH_SQL_FILE!, 'utf8')) as Record<string, { text: string; values: unknown[] }[]>;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });
const app = Fastify();

app.get('/v1/register', async (req, reply) => {
  const sequence = statements[decodeURIComponent(req.url)];
  if (!sequence) return reply.code(404).send();
  const client = await pool.connect();
  try {
    let rows: unknown[] = [];
    for (const s of sequence) rows = (await client.query(s.text, s.values)).rows;
    return { items: rows };
  } finally {
    client.release();
  }
});

await serveBaseline(app, pool);
