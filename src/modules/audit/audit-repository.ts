import { queryRows, sql, type Queryable } from '../../db/client.ts';
import { chunks, recordset } from '../../db/batches.ts';
import { LOCK_KEYS } from '../../db/advisory-locks.ts';
import { executePrepared } from '../../db/prepared.ts';
import { NodeMap, type Node, type NodeId } from '../../lib/transparency/merkle.ts';
import type { EventFields, PersonalValue } from './audit-leaf.ts';

export type NewEvent = EventFields & { personalValues: PersonalValue[] };

const EVENT_COLUMNS = sql`"occurredAt" timestamptz, "actorType" text, "actorId" uuid, "actorRole" text, action text, "entityType" text,
  "entityId" text, before jsonb, after jsonb, "requestId" text, n int`;

/**
 * Appends events, a batch per statement, with their personal values. No lock: the sealer orders
 * them later, by the writing transaction's id (the column's default).
 */
export async function insertEvents(tx: Queryable, events: readonly NewEvent[]): Promise<void> {
  for (const batch of chunks(events)) {
    const rows = batch.map(({ personalValues: _, ...e }, n) => ({ ...e, n }));
    const values = batch.flatMap((e, n) => e.personalValues.map((v) => ({ ...v, n })));
    // ORDER BY makes identity values follow the array, so the k-th smallest seq is event k.
    // Prepared: every audited write sends it, and planning it was half its cost.
    await executePrepared(
      tx,
      sql`
      WITH ins AS (
        INSERT INTO audit_events (occurred_at, actor_type, actor_id, actor_role, action, entity_type, entity_id, before, after, request_id)
        SELECT "occurredAt", "actorType", "actorId", "actorRole", action, "entityType", "entityId", before, after, "requestId"
          FROM ${recordset(rows, 'x', EVENT_COLUMNS)}
         ORDER BY n
        RETURNING seq),
      numbered AS (SELECT seq, (row_number() OVER (ORDER BY seq) - 1)::int AS n FROM ins)
      INSERT INTO audit_personal_values (seq, commitment, salt, value)
      SELECT numbered.seq, v.commitment, v.salt, v.value
        FROM numbered JOIN ${recordset(values, 'v', sql`n int, commitment text, salt text, value text`)} ON v.n = numbered.n`,
    );
  }
}

// occurred_at as the ISO string it was hashed as.
const eventColumns = sql`e.seq, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
  e.actor_type AS "actorType", e.actor_id AS "actorId", e.actor_role AS "actorRole", e.action,
  e.entity_type AS "entityType", e.entity_id AS "entityId", e.before, e.after, e.request_id AS "requestId"`;

export interface StoredEvent extends EventFields {
  seq: number;
  /** Null until sealed. */
  leafIndex: number | null;
}

export interface EventFilter {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  /** Occurred at or after. */
  from?: Date;
  /** Occurred before. */
  to?: Date;
  /** Older than this `seq`. */
  beforeSeq?: number;
}

/** Newest first, `limit` of them. */
export function listEvents(q: Queryable, filter: EventFilter, limit: number): Promise<StoredEvent[]> {
  const conditions = [sql`TRUE`];
  if (filter.entityType !== undefined) conditions.push(sql`e.entity_type = ${filter.entityType}`);
  if (filter.entityId !== undefined) conditions.push(sql`e.entity_id = ${filter.entityId}`);
  if (filter.actorId !== undefined) conditions.push(sql`e.actor_id = ${filter.actorId}`);
  if (filter.action !== undefined) conditions.push(sql`e.action = ${filter.action}`);
  if (filter.from !== undefined) conditions.push(sql`e.occurred_at >= ${filter.from.toISOString()}`);
  if (filter.to !== undefined) conditions.push(sql`e.occurred_at < ${filter.to.toISOString()}`);
  if (filter.beforeSeq !== undefined) conditions.push(sql`e.seq < ${filter.beforeSeq}`);
  return queryRows<StoredEvent>(
    q,
    sql`SELECT ${eventColumns}, l.leaf_index AS "leafIndex"
          FROM audit_events e LEFT JOIN audit_leaves l ON l.seq = e.seq
         WHERE ${sql.join(conditions, sql` AND `)} ORDER BY e.seq DESC LIMIT ${limit}`,
  );
}

/** The values still kept for these events, by commitment. */
export async function personalValuesOf(q: Queryable, seqs: readonly number[]): Promise<PersonalValue[]> {
  if (seqs.length === 0) return [];
  return queryRows<PersonalValue>(q, sql`SELECT commitment, salt, value FROM audit_personal_values WHERE seq = ANY(${sql.param(seqs)}::bigint[])`);
}

/** Sealed events in leaf order, `limit` of them from leaf `from`, each with the values still kept. */
export const leavesFrom = (q: Queryable, from: number, limit: number): Promise<(StoredEvent & { leafIndex: number; personalValues: PersonalValue[] | null })[]> =>
  queryRows(
    q,
    sql`SELECT ${eventColumns}, l.leaf_index AS "leafIndex",
               (SELECT json_agg(json_build_object('commitment', p.commitment, 'salt', p.salt, 'value', p.value)) FROM audit_personal_values p WHERE p.seq = e.seq) AS "personalValues"
          FROM audit_leaves l JOIN audit_events e ON e.seq = l.seq
         WHERE l.leaf_index >= ${from} ORDER BY l.leaf_index LIMIT ${limit}`,
  );

/** One sealed event by leaf index. */
export async function eventAtLeaf(q: Queryable, leafIndex: number): Promise<StoredEvent | undefined> {
  const [row] = await queryRows<StoredEvent>(q, sql`SELECT ${eventColumns}, l.leaf_index AS "leafIndex" FROM audit_leaves l JOIN audit_events e ON e.seq = l.seq WHERE l.leaf_index = ${leafIndex}`);
  return row;
}

// --- the sealer's statements ---

/** Whether this transaction is the sealer (a try: another instance sealing is not waited for). */
export async function trySealerLock(tx: Queryable): Promise<boolean> {
  const [row] = await queryRows<{ locked: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(${LOCK_KEYS.auditSealer}) AS locked`);
  return row!.locked;
}

export interface SealPosition {
  /** Leaves sealed so far. */
  size: number;
  /** The newest leaf's transaction id and seq: sealing goes on after it. */
  xid: number;
  seq: number;
}

export async function sealPosition(q: Queryable): Promise<SealPosition> {
  const [row] = await queryRows<{ size: string; xid: string; seq: string }>(
    q,
    sql`SELECT l.leaf_index + 1 AS size, e.xid, e.seq FROM audit_leaves l JOIN audit_events e ON e.seq = l.seq ORDER BY l.leaf_index DESC LIMIT 1`,
  );
  return row ? { size: Number(row.size), xid: Number(row.xid), seq: Number(row.seq) } : { size: 0, xid: -1, seq: -1 };
}

/**
 * The next events to seal, in (xid, seq) order: only those of transactions older than every one
 * still running (this statement's snapshot xmin), so no event is sealed ahead of an earlier
 * transaction's that has not committed yet, and the order never changes once sealed.
 */
export const sealableEvents = (q: Queryable, after: SealPosition, limit: number): Promise<(StoredEvent & { xid: string })[]> =>
  queryRows(
    q,
    sql`SELECT ${eventColumns}, e.xid FROM audit_events e
         WHERE (e.xid, e.seq) > (${after.xid}::bigint, ${after.seq}::bigint)
           AND e.xid < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint
         ORDER BY e.xid, e.seq LIMIT ${limit}`,
  );

/** Events written but not sealed yet: how many, and how long ago the oldest was written. */
export async function unsealed(q: Queryable, after: SealPosition): Promise<{ count: number; oldestAgeSeconds: number }> {
  const [row] = await queryRows<{ count: number; age: number | null }>(
    q,
    sql`SELECT count(*) AS count, extract(epoch FROM clock_timestamp() - min(occurred_at))::float8 AS age
          FROM audit_events WHERE (xid, seq) > (${after.xid}::bigint, ${after.seq}::bigint)`,
  );
  return { count: Number(row!.count), oldestAgeSeconds: Math.max(0, row!.age ?? 0) };
}

/** Stored tree nodes (hash as hex) among `ids`. */
function treeNodes(q: Queryable, ids: readonly NodeId[]): Promise<{ level: number; index: number; hash: string }[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return queryRows(
    q,
    sql`SELECT n.level, n.index::float8 AS index, n.hash FROM audit_tree_nodes n
          JOIN ${recordset(ids, 'w', sql`level int, index bigint`)} ON n.level = w.level AND n.index = w.index`,
  );
}

/** Loads the stored tree nodes among `ids` into `into`. */
export async function loadTreeNodes(q: Queryable, ids: readonly NodeId[], into: NodeMap = new NodeMap()): Promise<NodeMap> {
  return into.set((await treeNodes(q, ids)).map(({ level, index, hash }) => ({ level, index, hash: Buffer.from(hash, 'hex') })));
}

/** Adds leaves (leaf index → seq) and every tree node they complete, in one statement. */
export async function appendToTree(tx: Queryable, leaves: readonly { leafIndex: number; seq: number }[], nodes: readonly Node[]): Promise<void> {
  const nodeRows = nodes.map((n) => ({ level: n.level, index: n.index, hash: n.hash.toString('hex') }));
  await tx.execute(sql`
    WITH l AS (INSERT INTO audit_leaves (leaf_index, seq) SELECT "leafIndex", seq FROM ${recordset(leaves, 'x', sql`"leafIndex" bigint, seq bigint`)})
    INSERT INTO audit_tree_nodes (level, index, hash) SELECT level, index, hash FROM ${recordset(nodeRows, 'y', sql`level smallint, index bigint, hash text`)}`);
}

export interface StoredCheckpoint {
  treeSize: number;
  rootHash: string;
  note: string;
  signedAt: Date;
}

export async function latestCheckpoint(q: Queryable): Promise<StoredCheckpoint | undefined> {
  const [row] = await queryRows<StoredCheckpoint>(
    q,
    sql`SELECT tree_size::float8 AS "treeSize", root_hash AS "rootHash", note, signed_at AS "signedAt" FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1`,
  );
  return row && { ...row, signedAt: new Date(row.signedAt) };
}

export async function insertCheckpoint(tx: Queryable, c: { treeSize: number; rootHash: string; note: string; signedAt: Date }): Promise<void> {
  await tx.execute(sql`INSERT INTO audit_checkpoints (tree_size, root_hash, note, signed_at) VALUES (${c.treeSize}, ${c.rootHash}, ${c.note}, ${c.signedAt.toISOString()})`);
}
