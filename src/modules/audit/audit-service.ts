import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import { z } from 'zod';
import type { Db, Queryable } from '../../db/client.ts';
import { LONDON } from '../../lib/clock.ts';
import type { ActorType } from '../../domain/vocabulary.ts';
import type { RequestContext } from '../../lib/context.ts';
import { keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { commitPersonalValues, redact, revealPersonalValues } from './audit-leaf.ts';
import { insertEvents, listEvents, personalValuesOf, type NewEvent, type StoredEvent } from './audit-repository.ts';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Appends audit events inside the caller's transaction (`tx`): they commit or roll back with the
 * change they record. No lock is taken; the sealer adds them to the log once committed.
 */
export const recordAudit = (tx: Queryable, ctx: RequestContext, ...inputs: AuditInput[]): Promise<void> => recordAuditEvents(tx, ctx, inputs);

/** The same for any number of events (a spread of 100,000 arguments would overflow the call stack). */
export async function recordAuditEvents(tx: Queryable, ctx: RequestContext, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const occurredAt = new Date().toISOString();
  const events = inputs.map((input): NewEvent => {
    const before = commitPersonalValues(redact(input.before));
    const after = commitPersonalValues(redact(input.after));
    return {
      occurredAt,
      actorType: ctx.actor.type,
      actorId: ctx.actor.id ?? null,
      actorRole: ctx.actor.role ?? null,
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId,
      before: before.committed,
      after: after.committed,
      requestId: ctx.requestId,
      personalValues: [...before.values, ...after.values],
    };
  });
  await insertEvents(tx, events);
}

/** The instant a London calendar day (YYYY-MM-DD) begins. */
export function londonDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, LONDON).getTime());
}

/** The instant after the last moment of a London calendar day. */
export const londonDayEnd = (day: string): Date => new Date(addDays(new TZDate(londonDayStart(day).getTime(), LONDON), 1).getTime());

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

/** The list pages back from the last event's `seq`. */
const auditCursor = keysetCursor(z.tuple([z.int().min(1)]));

/** Reading the trail: the registrar's list, with personal values put back (or `[erased]`). */
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
      const kept = new Map(
        (
          await personalValuesOf(
            db,
            page.items.map((e) => e.seq),
          )
        ).map((v) => [v.commitment, v.value]),
      );
      return { items: page.items.map((e) => toAuditEvent(e, kept)), nextCursor: page.nextCursor };
    },
  };
}

function toAuditEvent(e: StoredEvent, kept: ReadonlyMap<string, string>) {
  return {
    seq: e.seq,
    leafIndex: e.leafIndex,
    occurredAt: e.occurredAt,
    actor: { type: e.actorType as ActorType, id: e.actorId, role: e.actorRole },
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    before: revealPersonalValues(e.before, kept),
    after: revealPersonalValues(e.after, kept),
    requestId: e.requestId,
  };
}
