import type { Db, Tx } from '../../db/client.ts';
import { notFound } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { UserContext } from '../../lib/context.ts';
import { keysetPage } from '../../lib/cursor.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { checkAddable, findLogOwner, lockLogOwner, refuseClosed } from './log-guard.ts';
import { logCursorAfter, logPageFilter, stamps, type LogQuery } from './log-pages.ts';
import { deleteEntry, insertEntry, lockEntry, logPage, updateEntry, type LogRow as Row, type LogTable } from './log-repository.ts';

/** The two logs; the name is also their path, OpenAPI tag and audit prefix. */
export type LogName = 'cpd' | 'practice';

export interface LogKind<T extends LogTable> {
  table: T;
  /** Audit names: `cpd` gives `cpd.created` on a `cpd_entry`. */
  name: LogName;
  /** For 404s: "The CPD entry". */
  label: string;
  /** A rule on the entry as it would stand after a create or change (the practice log's outcomes). */
  check?: (entry: Partial<Row<T>>) => void;
}

/**
 * A mediator's own log (CPD or practice): only the owner sees or changes an entry; an entry may be
 * dated only where the log guard allows, and a period closed by its assessment is locked.
 */
export function createLogService<T extends LogTable, Body extends Partial<Row<T>>, Patch extends Partial<Row<T>>>(
  { db, clock }: { db: Db; clock: Clock },
  { table, name, label, check = () => {} }: LogKind<T>,
) {
  const toEntry = ({ mediatorId: _m, ...r }: Row<T>) => stamps(r);
  /** The owner's entry, locked for the change; 404 if it is not theirs, 409 if its period is closed. */
  async function lockOpenEntry(tx: Tx, mediatorId: string, id: string): Promise<Row<T>> {
    const entry = await lockEntry(tx, table, mediatorId, id);
    if (!entry) throw notFound(label);
    refuseClosed(entry.closed);
    return entry.row;
  }

  return {
    async list(ctx: UserContext, query: LogQuery) {
      const owner = await findLogOwner(db, ctx.actor.id);
      const filter = await logPageFilter(db, table, owner.id, query);
      const page = await keysetPage(query.limit, (count) => logPage(db, table, filter, count), logCursorAfter);
      return { items: page.items.map(toEntry), nextCursor: page.nextCursor };
    },

    create: (ctx: UserContext, body: Body) =>
      db.transaction(async (tx) => {
        const owner = await lockLogOwner(tx, ctx.actor.id);
        check(body);
        checkAddable(owner, body.date!, clock());
        const { row, closed } = await insertEntry(tx, table, { ...body, mediatorId: owner.id, createdAt: clock(), updatedAt: clock() } as unknown as T['$inferInsert']);
        refuseClosed(closed);
        const entry = toEntry(row);
        await recordAudit(tx, ctx, { action: `${name}.created`, entityType: `${name}_entry`, entityId: entry.id, after: entry });
        return entry;
      }),

    update: (ctx: UserContext, id: string, patch: Patch) =>
      db.transaction(async (tx) => {
        const owner = await lockLogOwner(tx, ctx.actor.id);
        const before = await lockOpenEntry(tx, owner.id, id);
        check({ ...before, ...patch });
        if (patch.date !== undefined && patch.date !== before.date) checkAddable(owner, patch.date, clock());
        const { row, closed } = await updateEntry(tx, table, id, { ...patch, updatedAt: clock() });
        refuseClosed(closed);
        const entry = toEntry(row);
        await recordAudit(tx, ctx, { action: `${name}.updated`, entityType: `${name}_entry`, entityId: id, before: toEntry(before), after: entry });
        return entry;
      }),

    remove: (ctx: UserContext, id: string) =>
      db.transaction(async (tx) => {
        const owner = await lockLogOwner(tx, ctx.actor.id);
        const before = await lockOpenEntry(tx, owner.id, id);
        await deleteEntry(tx, table, id);
        await recordAudit(tx, ctx, { action: `${name}.deleted`, entityType: `${name}_entry`, entityId: id, before: toEntry(before) });
      }),
  };
}
