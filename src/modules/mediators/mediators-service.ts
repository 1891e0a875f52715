import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { mediators, users } from '../../db/schema.ts';
import type { Body, ComplianceOutcome, EntryStatus } from '../../domain/vocabulary.ts';
import { problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { pastInNameOrder } from '../register/register-repository.ts';
import { changeStatus as changeEntryStatus } from '../register-entries/register-entries-service.ts';
import { escapeLike } from '../../lib/like.ts';

/** Entries in name order (see pastInNameOrder): the last one's sort name and id. */
const entryCursor = keysetCursor(z.tuple([cursorKey.text, cursorKey.id]));

/** Register entries for admins: the list, and status changes with their history. */
export function createMediatorsService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    async list(ctx: RequestContext, query: { status?: EntryStatus; body?: Body; q?: string; limit: number; cursor?: string }) {
      if (ctx.actor.role === 'admin' && query.body && query.body !== ctx.actor.body) throw problem('other-body', 'Admins see their own body’s entries.');
      const body = ctx.actor.role === 'admin' ? ctx.actor.body : query.body;
      const after = entryCursor.decode(query.cursor);
      const conditions: SQL[] = [sql`${mediators.status} IS NOT NULL`];
      if (query.status) conditions.push(eq(mediators.status, query.status));
      if (body) conditions.push(eq(mediators.body, body));
      if (query.q)
        conditions.push(or(ilike(mediators.fullName, `%${escapeLike(query.q)}%`), ilike(mediators.membershipNumber, `%${escapeLike(query.q)}%`), ilike(users.email, `%${escapeLike(query.q)}%`))!);
      if (after) conditions.push(pastInNameOrder(mediators.sortName, mediators.id, after));
      const page = await keysetPage(
        query.limit,
        (count) =>
          db
            .select({
              m: mediators,
              email: users.email,
              latest: sql<{
                periodStart: string;
                outcome: ComplianceOutcome;
              } | null>`(SELECT json_build_object('periodStart', a.period_start, 'outcome', a.outcome) FROM compliance_assessments a WHERE a.mediator_id = ${mediators.id} ORDER BY a.period_start DESC LIMIT 1)`,
            })
            .from(mediators)
            .innerJoin(users, eq(users.id, mediators.userId))
            .where(and(...conditions))
            .orderBy(asc(mediators.sortName), asc(mediators.id))
            .limit(count),
        // sort_name is generated from full_name, which is never null.
        ({ m }) => entryCursor.encode([m.sortName!, m.id]),
      );
      const items = page.items.map(({ m, email, latest }) => ({
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
      return { items, nextCursor: page.nextCursor };
    },

    /** One audited, notified status change with its history row (register-entries). */
    async changeStatus(ctx: RequestContext, id: string, input: { status: EntryStatus; reason: string }) {
      return db.transaction(async (tx) => {
        const now = clock();
        const [changed] = await changeEntryStatus(tx, ctx, now, [{ id, status: input.status, reason: input.reason }]);
        return { id, status: input.status, previousStatus: changed!.from!, changedAt: now.toISOString() };
      });
    },
  };
}
