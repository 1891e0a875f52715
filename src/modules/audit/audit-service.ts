import { desc } from 'drizzle-orm';
import { auditEvents } from '../../db/schema.ts';
import { sql, type Queryable } from '../../db/client.ts';
import type { RequestContext } from '../../lib/context.ts';
import { GENESIS_HASH, eventHash, redact, type ChainedFields } from './audit-chain.ts';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** Serialises appenders: the lock is held until the caller's transaction ends, so the chain never forks. */
const AUDIT_CHAIN_LOCK_KEY = 7_302_118_002;
const INSERT_BATCH = 1000;

/**
 * Appends audit events inside the caller's transaction (`tx`), chained to the current head.
 * Call it last in a transaction: the chain lock is held from here until commit.
 */
export async function recordAudit(tx: Queryable, ctx: RequestContext, ...inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`);
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
  // Multi-row VALUES take identity values in order, so `seq` follows the chain.
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await tx.insert(auditEvents).values(rows.slice(i, i + INSERT_BATCH));
  }
}
