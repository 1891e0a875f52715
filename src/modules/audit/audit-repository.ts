import { desc } from 'drizzle-orm';
import { queryRows, sql, type Queryable } from '../../db/client.ts';
import { LOCK_KEYS, lockForTransaction } from '../../db/advisory-locks.ts';
import { chunks, recordset } from '../../db/batches.ts';
import { auditEvents } from '../../db/schema.ts';
import type { ChainedFields, StoredEvent } from './audit-chain.ts';

export type ChainedRow = ChainedFields & { prevHash: string; hash: string };

const EVENT_COLUMNS = sql`"occurredAt" timestamptz, "actorType" text, "actorId" uuid, "actorRole" text, action text, "entityType" text,
  "entityId" text, before jsonb, after jsonb, "requestId" text, "prevHash" text, hash text, n int`;

/** Takes the chain lock (held until commit) and answers the newest event's hash, if any. */
export async function lockChainHead(tx: Queryable): Promise<string | undefined> {
  await lockForTransaction(tx, LOCK_KEYS.auditChain);
  const [head] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  return head?.hash;
}

/** Appends the rows in order, a batch per statement. */
export async function insertChainedEvents(tx: Queryable, rows: readonly ChainedRow[]): Promise<void> {
  // ORDER BY makes identity values follow the array, so `seq` follows the chain.
  for (const batch of chunks(rows)) {
    await tx.execute(sql`
      INSERT INTO audit_events (occurred_at, actor_type, actor_id, actor_role, action, entity_type, entity_id, before, after, request_id, prev_hash, hash)
      SELECT "occurredAt", "actorType", "actorId", "actorRole", action, "entityType", "entityId", before, after, "requestId", "prevHash", hash
        FROM ${recordset(
          batch.map((r, n) => ({ ...r, n })),
          'x',
          EVENT_COLUMNS,
        )}
       ORDER BY n`);
  }
}

// Selected the same way for listing and verifying: occurred_at as the ISO string it was hashed as.
const storedEventColumns = sql`seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
  actor_type AS "actorType", actor_id AS "actorId", actor_role AS "actorRole", action,
  entity_type AS "entityType", entity_id AS "entityId", before, after, request_id AS "requestId",
  prev_hash AS "prevHash", hash`;

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
  if (filter.entityType !== undefined) conditions.push(sql`entity_type = ${filter.entityType}`);
  if (filter.entityId !== undefined) conditions.push(sql`entity_id = ${filter.entityId}`);
  if (filter.actorId !== undefined) conditions.push(sql`actor_id = ${filter.actorId}`);
  if (filter.action !== undefined) conditions.push(sql`action = ${filter.action}`);
  if (filter.from !== undefined) conditions.push(sql`occurred_at >= ${filter.from.toISOString()}`);
  if (filter.to !== undefined) conditions.push(sql`occurred_at < ${filter.to.toISOString()}`);
  if (filter.beforeSeq !== undefined) conditions.push(sql`seq < ${filter.beforeSeq}`);
  return queryRows<StoredEvent>(q, sql`SELECT ${storedEventColumns} FROM audit_events WHERE ${sql.join(conditions, sql` AND `)} ORDER BY seq DESC LIMIT ${limit}`);
}

/** In chain order, `limit` of them after `seq`. */
export const eventsAfter = (q: Queryable, seq: number, limit: number): Promise<StoredEvent[]> =>
  queryRows<StoredEvent>(q, sql`SELECT ${storedEventColumns} FROM audit_events WHERE seq > ${seq} ORDER BY seq LIMIT ${limit}`);
