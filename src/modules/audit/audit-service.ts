import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import { desc } from 'drizzle-orm';
import { z } from 'zod';
import { auditEvents } from '../../db/schema.ts';
import { queryRows, sql, type Db, type Queryable } from '../../db/client.ts';
import { LONDON } from '../../lib/clock.ts';
import type { ActorType } from '../../domain/vocabulary.ts';
import type { RequestContext } from '../../lib/context.ts';
import { keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { GENESIS_HASH, checkChain, eventHash, redact, type ChainBreak, type ChainedFields, type StoredEvent } from './audit-chain.ts';
import { LOCK_KEYS, lockForTransaction } from '../../db/advisory-locks.ts';
import { chunks, recordset } from '../../db/batches.ts';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

const EVENT_COLUMNS = sql`"occurredAt" timestamptz, "actorType" text, "actorId" uuid, "actorRole" text, action text, "entityType" text,
  "entityId" text, before jsonb, after jsonb, "requestId" text, "prevHash" text, hash text, n int`;

/**
 * Appends audit events inside the caller's transaction (`tx`), chained to the current head.
 * Call it last in a transaction: the chain lock is held from here until commit.
 */
export const recordAudit = (tx: Queryable, ctx: RequestContext, ...inputs: AuditInput[]): Promise<void> => recordAuditEvents(tx, ctx, inputs);

/** The same for any number of events (a spread of 100,000 arguments would overflow the call stack). */
export async function recordAuditEvents(tx: Queryable, ctx: RequestContext, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await lockForTransaction(tx, LOCK_KEYS.auditChain);
  const [head] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.seq)).limit(1);
  let prevHash = head?.hash ?? GENESIS_HASH;
  const occurredAt = new Date().toISOString();
  const rows = inputs.map((input) => {
    const fields: ChainedFields = {
      occurredAt,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id ?? null,
      actorRole: ctx.actor.role ?? null,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId,
      before: redact(input.before),
      after: redact(input.after),
      requestId: ctx.requestId,
    };
    const hash = eventHash(prevHash, fields);
    const row = { ...fields, prevHash, hash };
    prevHash = hash;
    return row;
  });
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

/** The instant a London calendar day (YYYY-MM-DD) begins. */
export function londonDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, LONDON).getTime());
}

/** The instant after the last moment of a London calendar day. */
export const londonDayEnd = (day: string): Date => new Date(addDays(new TZDate(londonDayStart(day).getTime(), LONDON), 1).getTime());

// Selected the same way for listing and verifying: occurred_at as the ISO string it was hashed as.
const storedEventColumns = sql`seq, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
  actor_type AS "actorType", actor_id AS "actorId", actor_role AS "actorRole", action,
  entity_type AS "entityType", entity_id AS "entityId", before, after, request_id AS "requestId",
  prev_hash AS "prevHash", hash`;

const VERIFY_BATCH = 2000;

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

export interface ChainVerification {
  valid: boolean;
  checked: number;
  headHash: string | null;
  firstBreak: ChainBreak | null;
}

/** The list pages back from the last event's `seq`. */
const auditCursor = keysetCursor(z.tuple([z.int().min(1)]));

/** Reading the trail: the registrar's list and the chain check (shared by the endpoint and the CLI). */
export function createAuditService({ db }: { db: Db }) {
  return {
    /** Newest first; keyset on `seq`. */
    async list(query: AuditQuery) {
      const after = auditCursor.decode(query.cursor);
      const conditions = [sql`TRUE`];
      if (query.entityType !== undefined) conditions.push(sql`entity_type = ${query.entityType}`);
      if (query.entityId !== undefined) conditions.push(sql`entity_id = ${query.entityId}`);
      if (query.actorId !== undefined) conditions.push(sql`actor_id = ${query.actorId}`);
      if (query.action !== undefined) conditions.push(sql`action = ${query.action}`);
      if (query.from !== undefined) conditions.push(sql`occurred_at >= ${londonDayStart(query.from).toISOString()}`);
      if (query.to !== undefined) conditions.push(sql`occurred_at < ${londonDayEnd(query.to).toISOString()}`);
      if (after) conditions.push(sql`seq < ${after[0]}`);
      const page = await keysetPage(
        query.limit,
        (count) => queryRows<StoredEvent>(db, sql`SELECT ${storedEventColumns} FROM audit_events WHERE ${sql.join(conditions, sql` AND `)} ORDER BY seq DESC LIMIT ${count}`),
        (last) => auditCursor.encode([last.seq]),
      );
      return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor };
    },

    /**
     * Recomputes the chain in `seq` order, a batch at a time (memory stays flat however long the
     * trail), and stops at the first event that does not fit.
     */
    async verify(batchSize = VERIFY_BATCH): Promise<ChainVerification> {
      let head = GENESIS_HASH;
      let lastSeq = 0;
      let checked = 0;
      for (;;) {
        const batch = await queryRows<StoredEvent>(db, sql`SELECT ${storedEventColumns} FROM audit_events WHERE seq > ${lastSeq} ORDER BY seq LIMIT ${batchSize}`);
        if (batch.length === 0) break;
        const result = checkChain(head, batch);
        if ('break' in result) {
          checked += batch.findIndex((e) => e.seq === result.break.seq) + 1;
          return { valid: false, checked, headHash: null, firstBreak: result.break };
        }
        head = result.headHash;
        checked += batch.length;
        lastSeq = batch[batch.length - 1]!.seq;
      }
      return { valid: true, checked, headHash: checked > 0 ? head : null, firstBreak: null };
    },
  };
}

function toAuditEvent(e: StoredEvent) {
  return {
    seq: e.seq,
    occurredAt: e.occurredAt,
    actor: { type: e.actorType as ActorType, id: e.actorId, role: e.actorRole },
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    before: e.before,
    after: e.after,
    requestId: e.requestId,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}
