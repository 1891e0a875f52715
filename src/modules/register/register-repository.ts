import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/client.ts';
import { recordset } from '../../db/batches.ts';
import type { HistoryEntry } from '../../domain/public-status.ts';
import { ENTRY_STATUSES, type Body, type EntryStatus, type Route } from '../../domain/vocabulary.ts';

/** A public entry as read from the database, before the allow-list schema is applied. */
export interface PublicEntryRow {
  id: string;
  fullName: string;
  body: Body;
  membershipNumber: string | null;
  route: Route | null;
  firstAccreditedOn: string | null;
  status: EntryStatus;
  /** London date of the latest status change. */
  statusSince: string;
  regions: string[];
  languages: string[];
  organisation: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  website: string | null;
  cpdUpToDateFor: string | null;
  sortName: string;
  /** 0: covers the searched region (or no region was searched); 1: works remotely across England instead. */
  group: number;
  score: string | null;
}

/**
 * The public record of an entry of any status, built here and nowhere else (search, entries, lookup,
 * export and feed all select it). How to reach the mediator leaves only while accredited, and
 * contact details only where opted in; the latest compliant period gives "CPD up to date for".
 */
export const ENTRY_COLUMNS = sql`
  m.id, m.full_name AS "fullName", m.body, m.membership_number AS "membershipNumber", m.route,
  m.first_accredited_on AS "firstAccreditedOn", m.status,
  to_char(m.status_changed_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "statusSince",
  CASE WHEN m.status = 'accredited' THEN m.regions ELSE '{}'::text[] END AS regions,
  CASE WHEN m.status = 'accredited' THEN m.languages ELSE '{}'::text[] END AS languages,
  CASE WHEN m.status = 'accredited' THEN m.organisation END AS organisation,
  CASE WHEN m.status = 'accredited' AND m.show_email THEN m.contact_email END AS "contactEmail",
  CASE WHEN m.status = 'accredited' AND m.show_phone THEN m.contact_phone END AS "contactPhone",
  CASE WHEN m.status = 'accredited' AND m.show_website THEN m.website END AS "website",
  (SELECT to_char(max(a.period_end) - interval '1 year', 'YYYY') || '/' || to_char(max(a.period_end), 'YY')
     FROM compliance_assessments a WHERE a.mediator_id = m.id AND a.outcome = 'compliant') AS "cpdUpToDateFor",
  m.sort_name AS "sortName"`;

/**
 * Past `key` ([sortName, id]) in name order (sort_name: the folded name in byte order, the same on
 * every server): the keyset condition of every list in name order, public and admin.
 */
export const pastInNameOrder = (sortName: SQLWrapper, id: SQLWrapper, [name, lastId]: unknown[]): SQL => sql`(${sortName}, ${id}) > (${name}, ${lastId}::uuid)`;

/** The statuses asked for; a removed entry only while in public view (removed on or after `removedVisibleFrom`). */
export function statusFilter({ status = ['accredited'], removedVisibleFrom }: { status?: readonly EntryStatus[]; removedVisibleFrom: string }): SQL {
  // The default, accredited alone, as the partial indexes (`WHERE status = 'accredited'`) state it.
  if (isAccreditedOnly({ status })) return sql`m.status = 'accredited'`;
  const listed = sql`m.status IN (${sql.join(
    status.map((s) => sql`${s}::mediator_status`),
    sql`, `,
  )})`;
  if (!status.includes('removed')) return listed;
  return sql`${listed} AND (m.status <> 'removed' OR (m.status_changed_at AT TIME ZONE 'Europe/London')::date >= ${removedVisibleFrom}::date)`;
}

/** Whether a listing is of accredited entries alone (the default): the covering indexes' rows. */
export const isAccreditedOnly = ({ status = ['accredited'] }: { status?: readonly EntryStatus[] }) => status.length === 1 && status[0] === 'accredited';

/** An entry in public view, of any status (the export and the change feed): the search's `status=any`. */
export const inPublicView = (removedVisibleFrom: string): SQL => statusFilter({ status: ENTRY_STATUSES, removedVisibleFrom });

/** What names an entry: its id, or its body and membership number (unique per body). */
export type EntryKey = { id: string } | { body: Body; membershipNumber: string };

const keyMatches = (key: EntryKey) => ('id' in key ? sql`m.id = ${key.id}` : sql`m.body = ${key.body} AND m.membership_number = ${key.membershipNumber}`);

/** The entry a key names, if it was ever on the register (whatever its status now). */
export async function findEntry(q: Queryable, key: EntryKey): Promise<PublicEntryRow | undefined> {
  const [row] = await queryRows<PublicEntryRow>(q, sql`SELECT ${ENTRY_COLUMNS}, 0 AS "group", NULL::text AS score FROM mediators m WHERE ${keyMatches(key)} AND m.status IS NOT NULL`);
  return row;
}

/**
 * The entries many keys name, in one statement: by the key's place in `keys`, the entry ever on the
 * register it names. Two joins, each on its own unique index, rather than one join on either.
 */
export async function findEntries(q: Queryable, keys: readonly EntryKey[]): Promise<Map<number, PublicEntryRow>> {
  const rows = keys.map((key, ord) => ({ ord, ...key }));
  const found = await queryRows<PublicEntryRow & { ord: number }>(
    q,
    sql`WITH k AS MATERIALIZED (SELECT * FROM ${recordset(rows, 'k', sql`ord int, id uuid, body body, "membershipNumber" text`)})
        SELECT k.ord, ${ENTRY_COLUMNS} FROM k JOIN mediators m ON m.id = k.id WHERE m.status IS NOT NULL
        UNION ALL
        SELECT k.ord, ${ENTRY_COLUMNS} FROM k JOIN mediators m ON m.body = k.body AND m.membership_number = k."membershipNumber" WHERE m.status IS NOT NULL`,
  );
  return new Map(found.map(({ ord, ...row }) => [Number(ord), row as PublicEntryRow]));
}

const HISTORY_COLUMNS = sql`h.to_status AS status, to_char(h.changed_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS date`;

/** An entry's public history: status and London date of each change, oldest first; never the reason. */
export const publicHistory = (q: Queryable, id: string) => queryRows<HistoryEntry>(q, sql`SELECT ${HISTORY_COLUMNS} FROM status_history h WHERE h.mediator_id = ${id} ORDER BY h.changed_at, h.seq`);

/** The public histories of many entries in one statement, by entry id. */
export async function publicHistories(q: Queryable, ids: readonly string[]): Promise<Map<string, HistoryEntry[]>> {
  const rows = await queryRows<HistoryEntry & { id: string }>(
    q,
    sql`SELECT h.mediator_id AS id, ${HISTORY_COLUMNS} FROM status_history h WHERE h.mediator_id = ANY(${sql.param([...ids])}::uuid[]) ORDER BY h.mediator_id, h.changed_at, h.seq`,
  );
  const histories = new Map<string, HistoryEntry[]>(ids.map((id) => [id, []]));
  for (const { id, ...entry } of rows) histories.get(id)?.push(entry);
  return histories;
}

/**
 * The position of the latest public change (register_changes, kept by triggers in the database for
 * every writer) and when it committed: moves with every public-visible change and nothing else.
 */
export async function registerHead(q: Queryable): Promise<{ position: number; changedAt: Date }> {
  const [row] = await queryRows<{ position: number; changedAt: Date | string }>(q, sql`SELECT position, changed_at AS "changedAt" FROM register_head`);
  return { position: Number(row!.position), changedAt: new Date(row!.changedAt) };
}
