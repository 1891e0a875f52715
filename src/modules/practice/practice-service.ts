import { and, eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { PracticeBodySchema, PracticePatchSchema } from '../../../schemas/practice.ts';
import type { Db } from '../../db/client.ts';
import { practiceEntries } from '../../db/schema.ts';
import { notFound, unprocessable } from '../../errors.ts';
import { SEND_MEDIATION_KINDS } from '../../domain/evaluation.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestContext } from '../../lib/context.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { checkAddable, checkOpen, findLogOwner } from '../compliance-view/log-guard.ts';
import { logPageFilter, newestFirst, stamps, toPage, type LogQuery } from '../compliance-view/log-pages.ts';

type PracticeRow = typeof practiceEntries.$inferSelect;
const toEntry = ({ mediatorId: _m, ...r }: PracticeRow) => stamps(r);

/** An outcome is recorded for SEND mediations and co-mediations, and only for them. */
function checkOutcome(kind: PracticeRow['kind'], outcome: PracticeRow['outcome'] | undefined) {
  const send = SEND_MEDIATION_KINDS.includes(kind);
  if (send && !outcome) throw unprocessable('A SEND mediation needs its outcome.', [{ in: 'body', field: 'outcome', message: 'required for SEND mediations and co-mediations' }]);
  if (!send && outcome) throw unprocessable('Only SEND mediations have an outcome.', [{ in: 'body', field: 'outcome', message: `not recorded for ${kind}` }]);
}

/** A mediator's own practice log: only the owner sees or changes an entry; closed periods are locked. */
export function createPracticeService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    async list(ctx: RequestContext, query: LogQuery) {
      const owner = await findLogOwner(db, ctx.actor.id!);
      const rows = await db
        .select()
        .from(practiceEntries)
        .where(await logPageFilter(db, practiceEntries, owner.id, query))
        .orderBy(...newestFirst(practiceEntries))
        .limit(query.limit + 1);
      return toPage(rows, query.limit, toEntry);
    },

    create: (ctx: RequestContext, body: z.infer<typeof PracticeBodySchema>) =>
      db.transaction(async (tx) => {
        const owner = await findLogOwner(tx, ctx.actor.id!);
        checkOutcome(body.kind, body.outcome);
        await checkAddable(tx, owner, body.date, clock());
        const [row] = await tx.insert(practiceEntries).values({ ...body, mediatorId: owner.id, createdAt: clock(), updatedAt: clock() }).returning();
        const entry = toEntry(row!);
        await recordAudit(tx, ctx, { action: 'practice.created', entityType: 'practice_entry', entityId: entry.id, after: entry });
        return entry;
      }),

    update: (ctx: RequestContext, id: string, patch: z.infer<typeof PracticePatchSchema>) =>
      db.transaction(async (tx) => {
        const owner = await findLogOwner(tx, ctx.actor.id!);
        const [before] = await tx.select().from(practiceEntries).where(and(eq(practiceEntries.id, id), eq(practiceEntries.mediatorId, owner.id))).for('update');
        if (!before) throw notFound('The practice entry');
        await checkOpen(tx, owner.id, before.date);
        checkOutcome(patch.kind ?? before.kind, patch.outcome !== undefined ? patch.outcome : before.outcome);
        if (patch.date !== undefined && patch.date !== before.date) await checkAddable(tx, owner, patch.date, clock());
        const [row] = await tx.update(practiceEntries).set({ ...patch, updatedAt: clock() }).where(eq(practiceEntries.id, id)).returning();
        const entry = toEntry(row!);
        await recordAudit(tx, ctx, { action: 'practice.updated', entityType: 'practice_entry', entityId: id, before: toEntry(before), after: entry });
        return entry;
      }),

    remove: (ctx: RequestContext, id: string) =>
      db.transaction(async (tx) => {
        const owner = await findLogOwner(tx, ctx.actor.id!);
        const [before] = await tx.select().from(practiceEntries).where(and(eq(practiceEntries.id, id), eq(practiceEntries.mediatorId, owner.id))).for('update');
        if (!before) throw notFound('The practice entry');
        await checkOpen(tx, owner.id, before.date);
        await tx.delete(practiceEntries).where(eq(practiceEntries.id, id));
        await recordAudit(tx, ctx, { action: 'practice.deleted', entityType: 'practice_entry', entityId: id, before: toEntry(before) });
      }),
  };
}

export type PracticeService = ReturnType<typeof createPracticeService>;
