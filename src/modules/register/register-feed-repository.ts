import { sql } from 'drizzle-orm';
import { queryRows, type Queryable, type Tx } from '../../db/client.ts';
import type { RegisterChangeKind } from '../../domain/vocabulary.ts';
import { ENTRY_COLUMNS, inPublicView, type PublicEntryRow } from './register-repository.ts';

/** A change as stored, with its entry's public record as it now stands (null: no longer in public view). */
export interface ChangeRow {
  position: number;
  kind: RegisterChangeKind;
  mediatorId: string;
  changedAt: Date;
  entry: PublicEntryRow | null;
}

/** A change's columns beside its entry's (all null when the entry is out of public view). */
type Joined = PublicEntryRow & {
  head: number | string;
  changePosition: number | string | null;
  changeKind: RegisterChangeKind;
  changeMediatorId: string;
  changeChangedAt: Date | string;
};

/**
 * The first `limit` changes after position `since`, in position order, each with its entry's
 * current public record, and the head: one statement, so one snapshot. Positions are given at
 * commit under the head's lock, so a change not yet visible here will get a position above this
 * head, and a reader resuming from any position it was given never skips one.
 */
export async function changesSince(q: Queryable, since: number, limit: number, removedVisibleFrom: string): Promise<{ head: number; changes: ChangeRow[] }> {
  const rows = await queryRows<Joined>(
    q,
    sql`SELECT h.position AS head, c.position AS "changePosition", c.kind AS "changeKind", c.mediator_id AS "changeMediatorId",
               c.changed_at AS "changeChangedAt", e.*
          FROM register_head h
          LEFT JOIN LATERAL (SELECT * FROM register_changes WHERE position > ${since} ORDER BY position LIMIT ${limit}) c ON true
          LEFT JOIN LATERAL (SELECT ${ENTRY_COLUMNS} FROM mediators m WHERE m.id = c.mediator_id AND ${inPublicView(removedVisibleFrom)}) e ON true
         ORDER BY c.position`,
  );
  const head = Number(rows[0]!.head);
  const changes = rows.flatMap(({ head: _, changePosition, changeKind, changeMediatorId, changeChangedAt, ...entry }) =>
    changePosition === null
      ? []
      : [{ position: Number(changePosition), kind: changeKind, mediatorId: changeMediatorId, changedAt: new Date(changeChangedAt), entry: entry.id === null ? null : entry }],
  );
  return { head, changes };
}

/**
 * A `gone` change for every removed entry whose removal (London date) is before `removedVisibleFrom`
 * and that has had no `gone` change since it last came onto the register or changed status: time
 * takes it out of public view, and no trigger sees time pass. Idempotent. The rows are numbered at
 * commit like the triggers' (register_mark_pending, then register_seal_changes at commit). The
 * entries are locked, so a change to one committing meanwhile is waited for and seen.
 */
export async function insertGoneChanges(tx: Tx, removedVisibleFrom: string): Promise<number> {
  const past = sql`m.status = 'removed' AND NOT (${inPublicView(removedVisibleFrom)})`;
  const inserted = await queryRows<{ id: string }>(
    tx,
    sql`WITH latest AS (
          SELECT c.mediator_id, max(c.id) FILTER (WHERE c.kind IN ('added', 'status_changed')) AS moved, max(c.id) FILTER (WHERE c.kind = 'gone') AS gone
            FROM register_changes c JOIN mediators m ON m.id = c.mediator_id WHERE ${past} GROUP BY c.mediator_id),
        due AS (
          SELECT m.id FROM mediators m LEFT JOIN latest l ON l.mediator_id = m.id
           WHERE ${past} AND (l.gone IS NULL OR l.gone < l.moved) ORDER BY m.id FOR UPDATE OF m)
        INSERT INTO register_changes (mediator_id, kind) SELECT id, 'gone' FROM due ORDER BY id RETURNING mediator_id AS id`,
  );
  if (inserted.length > 0) await tx.execute(sql`SELECT register_mark_pending()`);
  return inserted.length;
}
