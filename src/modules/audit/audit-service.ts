import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import { z } from 'zod';
import type { Db, Queryable } from '../../db/client.ts';
import { LONDON } from '../../lib/clock.ts';
import type { ActorType } from '../../domain/vocabulary.ts';
import type { RequestContext } from '../../lib/context.ts';
import { keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { GENESIS_HASH, checkChain, eventHash, redact, type ChainBreak, type ChainedFields, type StoredEvent } from './audit-chain.ts';
import { eventsAfter, insertChainedEvents, listEvents, lockChainHead } from './audit-repository.ts';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends audit events inside the caller's transaction (`tx`), chained to the current head.
 * Call it last in a transaction: the chain lock is held from here until commit.
 */
export const recordAudit = (tx: Queryable, ctx: RequestContext, ...inputs: AuditInput[]): Promise<void> => recordAuditEvents(tx, ctx, inputs);

/** The same for any number of events (a spread of 100,000 arguments would overflow the call stack). */
export async function recordAuditEvents(tx: Queryable, ctx: RequestContext, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  let prevHash = (await lockChainHead(tx)) ?? GENESIS_HASH;
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
  await insertChainedEvents(tx, rows);
}

/** The instant a London calendar day (YYYY-MM-DD) begins. */
export function londonDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, LONDON).getTime());
}

/** The instant after the last moment of a London calendar day. */
export const londonDayEnd = (day: string): Date => new Date(addDays(new TZDate(londonDayStart(day).getTime(), LONDON), 1).getTime());

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
      const { entityType, entityId, actorId, action } = query;
      const filter = {
        entityType,
        entityId,
        actorId,
        action,
        from: query.from === undefined ? undefined : londonDayStart(query.from),
        to: query.to === undefined ? undefined : londonDayEnd(query.to),
        beforeSeq: after?.[0],
      };
      const page = await keysetPage(
        query.limit,
        (count) => listEvents(db, filter, count),
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
        const batch = await eventsAfter(db, lastSeq, batchSize);
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
