import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Body, EntryStatus } from '../../domain/vocabulary.ts';
import { problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { changeStatus as changeEntryStatus } from '../register-entries/register-entries-service.ts';
import { listEntries } from './mediators-repository.ts';

/** Entries in name order (see pastInNameOrder): the last one's sort name and id. */
const entryCursor = keysetCursor(z.tuple([cursorKey.text, cursorKey.id]));

/** Register entries for admins: the list, and status changes with their history. */
export function createMediatorsService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    async list(ctx: RequestContext, query: { status?: EntryStatus; body?: Body; q?: string; limit: number; cursor?: string }) {
      if (ctx.actor.role === 'admin' && query.body && query.body !== ctx.actor.body) throw problem('other-body', 'Admins see their own body’s entries.');
      const body = ctx.actor.role === 'admin' ? ctx.actor.body : query.body;
      const after = entryCursor.decode(query.cursor);
      const page = await keysetPage(
        query.limit,
        (count) => listEntries(db, { status: query.status, body, q: query.q, after }, count),
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
