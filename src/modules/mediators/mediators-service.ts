import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { mediators, statusHistory, users } from '../../db/schema.ts';
import { checkStatusTransition, type EntryStatus } from '../../domain/status-transitions.ts';
import { conflict, forbidden, notFound, unprocessable } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor } from '../../lib/cursor.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { pastInNameOrder } from '../register/register-repository.ts';
import { enqueueNotifications } from '../notifications/outbox.ts';
import { escapeLike } from '../../lib/like.ts';

/** Entries in name order (see pastInNameOrder): the last one's sort name and id. */
const entryCursor = keysetCursor(z.tuple([cursorKey.text, cursorKey.id]));

/** Register entries for admins: the list, and status changes with their history. */
export function createMediatorsService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    async list(ctx: RequestContext, query: { status?: EntryStatus; body?: 'com' | 'cmc'; q?: string; limit: number; cursor?: string }) {
      if (ctx.actor.role === 'admin' && query.body && query.body !== ctx.actor.body) throw forbidden('Admins see their own body’s entries.');
      const body = ctx.actor.role === 'admin' ? ctx.actor.body! : query.body;
      const after = entryCursor.decode(query.cursor);
      const conditions: SQL[] = [sql`${mediators.status} IS NOT NULL`];
      if (query.status) conditions.push(eq(mediators.status, query.status));
      if (body) conditions.push(eq(mediators.body, body));
      if (query.q) conditions.push(or(ilike(mediators.fullName, `%${escapeLike(query.q)}%`), ilike(mediators.membershipNumber, `%${escapeLike(query.q)}%`), ilike(users.email, `%${escapeLike(query.q)}%`))!);
      if (after) conditions.push(pastInNameOrder(mediators.sortName, mediators.id, after));
      const rows = await db
        .select({
          m: mediators,
          email: users.email,
          latest: sql<{ periodStart: string; outcome: string } | null>`(SELECT json_build_object('periodStart', a.period_start, 'outcome', a.outcome) FROM compliance_assessments a WHERE a.mediator_id = ${mediators.id} ORDER BY a.period_start DESC LIMIT 1)`,
        })
        .from(mediators)
        .innerJoin(users, eq(users.id, mediators.userId))
        .where(and(...conditions))
        .orderBy(asc(mediators.sortName), asc(mediators.id))
        .limit(query.limit + 1);
      const items = rows.slice(0, query.limit).map(({ m, email, latest }) => ({
        id: m.id,
        userId: m.userId,
        fullName: m.fullName,
        email,
        body: m.body,
        membershipNumber: m.membershipNumber,
        status: m.status,
        route: m.route,
        firstAccreditedOn: m.firstAccreditedOn,
        complianceStartOn: m.complianceStartOn,
        latestAssessment: latest,
      }));
      const last = rows.length > query.limit ? rows[query.limit - 1]!.m : undefined;
      // sort_name is generated from full_name, which is never null.
      return { items, nextCursor: last ? entryCursor.encode([last.sortName!, last.id]) : null };
    },

    /** One audited, notified status change with its history row; guarded on the status it started from. */
    async changeStatus(ctx: RequestContext, id: string, input: { status: EntryStatus; reason: string }) {
      return db.transaction(async (tx) => {
        const [row] = await tx.select({ m: mediators, email: users.email }).from(mediators).innerJoin(users, eq(users.id, mediators.userId)).where(eq(mediators.id, id));
        if (!row?.m.status) throw notFound('The register entry');
        // Staff can hold an entry of their own (mediators.user_id): another admin or a registrar acts on it.
        if (row.m.userId === ctx.actor.id) throw forbidden('Nobody changes the status of their own register entry; another admin of the body or a registrar must.');
        const from = row.m.status;
        const check = checkStatusTransition(from, input.status, { role: ctx.actor.role ?? 'system', body: ctx.actor.body ?? null }, row.m.body);
        if (!check.ok) {
          if (check.reason === 'other_body') throw forbidden('This entry belongs to the other body.');
          if (check.reason === 'forbidden_role') throw forbidden();
          throw unprocessable(`An entry cannot go from ${from} to ${input.status}.`, [{ in: 'body', field: 'status', message: `not allowed from ${from}` }]);
        }
        const now = clock();
        const [after] = await tx
          .update(mediators)
          .set({ status: input.status, statusChangedAt: now, updatedAt: now })
          .where(and(eq(mediators.id, id), eq(mediators.status, from)))
          .returning();
        if (!after) throw conflict('The entry changed at the same time; reload it.');
        await tx.insert(statusHistory).values({ mediatorId: id, fromStatus: from, toStatus: input.status, reason: input.reason, actorUserId: ctx.actor.id ?? null, actorRole: ctx.actor.role ?? 'system', changedAt: now });
        await enqueueNotifications(tx, [{ recipient: row.email, userId: row.m.userId, template: 'status_changed', data: { fullName: row.m.fullName, from, status: input.status, reason: input.reason } }]);
        await recordAudit(tx, ctx, { action: 'mediator.status_changed', entityType: 'mediator', entityId: id, before: { status: from }, after: { status: input.status, reason: input.reason } });
        return { id, status: input.status, previousStatus: from, changedAt: now.toISOString() };
      });
    },
  };
}

export type MediatorsService = ReturnType<typeof createMediatorsService>;
