import { createHash, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { serveBaseline } from './serve.ts';

// The write-path baseline: POST /v1/me/cpd as a bare Fastify route on raw `pg` with the same pool
// size, writing what the API writes in one transaction: the cpd_entries row, its audit event, and
// the event's personal values (the entry's free text, committed by salted hashes as the audit log
// does). No authentication, validation, serialisation schemas, hooks, plugins or logging; each
// request writes for the next of the signed-in mediators the bench names.
const mediators = JSON.parse(process.env.BENCH_MEDIATORS!) as { mediatorId: string; userId: string }[];
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });
const app = Fastify();
let next = 0;

const INSERT_ENTRY = `INSERT INTO cpd_entries (mediator_id, date, hours, category, send_specific, title, provider, reflection, evidence_ref, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
  RETURNING id, mediator_id, date::text, hours::float8, category, send_specific, title, provider, reflection, evidence_ref, created_at, updated_at`;
const INSERT_EVENT = `WITH ev AS (
    INSERT INTO audit_events (occurred_at, actor_type, actor_id, actor_role, action, entity_type, entity_id, after, request_id)
    VALUES ($1, 'user', $2, 'mediator', 'cpd.created', 'cpd_entry', $3, $4, $5) RETURNING seq)
  INSERT INTO audit_personal_values (seq, commitment, salt, value)
  SELECT ev.seq, v.commitment, v.salt, v.value FROM ev, unnest($6::text[], $7::text[], $8::text[]) AS v(commitment, salt, value)`;

type Body = { date: string; hours: number; category: string; sendSpecific: boolean; title: string; provider?: string; reflection?: string; evidenceRef?: string };

app.post('/v1/me/cpd', async (req, reply) => {
  const b = req.body as Body;
  const { mediatorId, userId } = mediators[next++ % mediators.length]!;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const r = (await client.query(INSERT_ENTRY, [mediatorId, b.date, b.hours, b.category, b.sendSpecific, b.title, b.provider ?? null, b.reflection ?? null, b.evidenceRef ?? null, new Date()]))
      .rows[0];
    const entry = {
      id: r.id,
      date: r.date,
      hours: r.hours,
      category: r.category,
      sendSpecific: r.send_specific,
      title: r.title,
      provider: r.provider,
      reflection: r.reflection,
      evidenceRef: r.evidence_ref,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
    const values: { commitment: string; salt: string; value: string }[] = [];
    const commit = (value: string | null) => {
      if (value === null) return null;
      const salt = randomBytes(16).toString('base64');
      const commitment = createHash('sha256').update(Buffer.from(salt, 'base64')).update(value, 'utf8').digest('base64');
      values.push({ commitment, salt, value });
      return { $commit: commitment };
    };
    const after = { ...entry, title: commit(entry.title), provider: commit(entry.provider), reflection: commit(entry.reflection), evidenceRef: commit(entry.evidenceRef) };
    await client.query(INSERT_EVENT, [
      new Date().toISOString(),
      userId,
      entry.id,
      JSON.stringify(after),
      req.id,
      values.map((v) => v.commitment),
      values.map((v) => v.salt),
      values.map((v) => v.value),
    ]);
    await client.query('COMMIT');
    return reply.code(201).send(entry);
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
});

await serveBaseline(app, pool);
