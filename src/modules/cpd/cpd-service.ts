import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { CpdBodySchema, CpdPatchSchema } from '../../../schemas/cpd.ts';
import type { Db } from '../../db/client.ts';
import { cpdEntries } from '../../db/schema.ts';
import { notFound } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestContext } from '../../lib/context.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { checkAddable, checkOpen, findLogOwner } from '../compliance-view/log-guard.ts';
import { logPageFilter, newestFirst, stamps, toPage, type LogQuery } from '../compliance-view/log-pages.ts';

type CpdRow = typeof cpdEntries.$inferSelect;
const toEntry = ({ mediatorId: _m, ...r }: CpdRow) => stamps(r);

/** A mediator's own CPD log: only the owner sees or changes an entry; closed periods are locked. */
export function createCpdService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    async list(ctx: RequestContext, query: LogQuery) {
      const owner = await findLogOwner(db, ctx.actor.id!);
      const rows = await db
        .select()
        .from(cpdEntries)
        .where(await logPageFilter(db, cpdEntries, owner.id, query))
        .orderBy(...newestFirst(cpdEntries))
        .limit(query.limit + 1);
      return toPage(rows, query.limit, toEntry);
    },

    create: (ctx: RequestContext, body: z.infer<typeof CpdBodySchema>) =>
      db.transaction(async (tx) => {
        const owner = await findLogOwner(tx, ctx.actor.id!);
        await checkAddable(tx, owner, body.date, clock());
        const [row] = await tx.insert(cpdEntries).values({ ...body, mediatorId: owner.id, createdAt: clock(), updatedAt: clock() }).returning();
        const entry = toEntry(row!);
        await recordAudit(tx, ctx, { action: 'cpd.created', entityType: 'cpd_entry', entityId: entry.id, after: entry });
        return entry;
      }),

    update: (ctx: RequestContext, id: string, patch: z.infer<typeof CpdPatchSchema>) =>
      db.transaction(async (tx) => {
        const owner = await findLogOwner(tx, ctx.actor.id!);
        const [before] = await tx.select().from(cpdEntries).where(and(eq(cpdEntries.id, id), eq(cpdEntries.mediatorId, owner.id))).for('update');
        if (!before) throw notFound('The CPD entry');
        await checkOpen(tx, owner.id, before.date);
        if (patch.date !== undefined && patch.date !== before.date) await checkAddable(tx, owner, patch.date, clock());
        const [row] = await tx.update(cpdEntries).set({ ...patch, updatedAt: clock() }).where(eq(cpdEntries.id, id)).returning();
        const entry = toEntry(row!);
        await recordAudit(tx, ctx, { action: 'cpd.updated', entityType: 'cpd_entry', entityId: id, before: toEntry(before), after: entry });
        return entry;
      }),

    remove: (ctx: RequestContext, id: string) =>
      db.transaction(async (tx) => {
        const owner = await findLogOwner(tx, ctx.actor.id!);
        const [before] = await tx.select().from(cpdEntries).where(and(eq(cpdEntries.id, id), eq(cpdEntries.mediatorId, owner.id))).for('update');
        if (!before) throw notFound('The CPD entry');
        await checkOpen(tx, owner.id, before.date);
        await tx.delete(cpdEntries).where(eq(cpdEntries.id, id));
        await recordAudit(tx, ctx, { action: 'cpd.deleted', entityType: 'cpd_entry', entityId: id, before: toEntry(before) });
      }),
  };
}

export type CpdService = ReturnType<typeof createCpdService>;
