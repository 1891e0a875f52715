import { queryRows, sql, type Queryable } from '../../db/client.ts';
import { chunks, recordset } from '../../db/batches.ts';
import { isAllowedMove } from '../../domain/status-transitions.ts';
import type { Body, EntryStatus, Route } from '../../domain/vocabulary.ts';

/** An entry as the checks on a status change need it: where it stands and whose it is. */
export interface Entry {
  id: string;
  userId: string;
  body: Body | null;
  status: EntryStatus | null;
}

/** Set-based: one statement per batch of ids. Ids with no mediator are simply absent. */
export async function loadEntries(q: Queryable, ids: readonly string[]): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  for (const batch of chunks(ids)) {
    const rows = await queryRows<Entry>(
      q,
      sql`SELECT id, user_id AS "userId", body, status FROM mediators
           WHERE id IN (SELECT json_array_elements_text(${JSON.stringify(batch)}::json)::uuid)`,
    );
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** What an entry is given when it goes onto the register. */
export interface Accreditation {
  route: Route;
  standardsVersion: string;
  body: Body;
  membershipNumber: string;
  firstAccreditedOn: string;
  complianceStartOn: string | null;
  importedOn?: string | null;
}

export interface StatusWrite {
  id: string;
  from: EntryStatus | null;
  to: EntryStatus;
  reason: string;
  /** When the change took effect (status_changed_at and the history row); the caller's `now` unless given. */
  at?: Date;
  accreditation?: Accreditation;
}

export interface Written {
  id: string;
  userId: string;
  email: string;
  fullName: string;
  from: EntryStatus | null;
  to: EntryStatus;
  reason: string;
  route: Route | null;
  body: Body | null;
  membershipNumber: string | null;
}

const COLUMNS = sql`id uuid, "from" mediator_status, "to" mediator_status, reason text, at timestamptz, route register_route,
  "standardsVersion" text, body body, "membershipNumber" text, "firstAccreditedOn" date, "complianceStartOn" date, "importedOn" date`;

/**
 * The one statement that changes register status: per batch, the entries still at their `from`
 * status move (a concurrent change wins, and its entry is left out of the answer), each with its
 * status_history row. Accreditation details are written with it; moves without them keep the
 * entry's own. Who may make a move is the service's decision; that the move itself is one the register
 * allows is checked here too, so no caller (the seed and test set-ups included) can write another.
 */
export async function writeStatuses(q: Queryable, writes: readonly StatusWrite[], actor: { userId: string | null; role: string }, now: Date): Promise<Written[]> {
  const illegal = writes.find((w) => !isAllowedMove(w.from, w.to));
  if (illegal) throw new Error(`A register entry cannot move from ${illegal.from ?? 'off the register'} to ${illegal.to}`);
  const written: Written[] = [];
  for (const batch of chunks(writes)) {
    const rows = batch.map(({ accreditation, at, ...w }) => ({ ...w, ...accreditation, at: at ?? now }));
    written.push(
      ...(await queryRows<Written>(
        q,
        sql`WITH moved AS (
              UPDATE mediators m
                 SET status = v."to", status_changed_at = v.at, updated_at = ${now}::timestamptz,
                     route = coalesce(v.route, m.route), standards_version = coalesce(v."standardsVersion", m.standards_version),
                     body = coalesce(v.body, m.body), membership_number = coalesce(v."membershipNumber", m.membership_number),
                     first_accredited_on = coalesce(v."firstAccreditedOn", m.first_accredited_on),
                     compliance_start_on = coalesce(v."complianceStartOn", m.compliance_start_on),
                     imported_on = coalesce(v."importedOn", m.imported_on)
                FROM ${recordset(rows, 'v', COLUMNS)}
               WHERE m.id = v.id AND m.status IS NOT DISTINCT FROM v."from"
           RETURNING m.id, m.user_id, m.full_name, v."from", v."to", v.reason, v.at, m.route, m.body, m.membership_number),
            history AS (
              INSERT INTO status_history (mediator_id, from_status, to_status, reason, actor_user_id, actor_role, changed_at)
              SELECT id, "from", "to", reason, ${actor.userId}::uuid, ${actor.role}, at FROM moved)
            SELECT m.id, m.user_id AS "userId", u.email, m.full_name AS "fullName", m."from", m."to", m.reason, m.route, m.body, m.membership_number AS "membershipNumber"
              FROM moved m JOIN users u ON u.id = m.user_id`,
      )),
    );
  }
  return written;
}
