import { queryRows, sql, type Db } from '../../src/db/client.ts';
import { revealPersonalValues } from '../../src/modules/audit/audit-leaf.ts';

/**
 * Stored audit events as the registrar's list shows them: personal values (kept beside each event,
 * committed to in its leaf) put back in `before` and `after`.
 */
export async function revealed<E extends { seq: number; before: unknown; after: unknown }>(db: Db, events: E[]): Promise<E[]> {
  if (events.length === 0) return events;
  const rows = await queryRows<{ commitment: string; value: string }>(db, sql`SELECT commitment, value FROM audit_personal_values WHERE seq = ANY(${sql.param(events.map((e) => e.seq))}::bigint[])`);
  const kept = new Map(rows.map((r) => [r.commitment, r.value]));
  return events.map((e) => ({ ...e, before: revealPersonalValues(e.before, kept), after: revealPersonalValues(e.after, kept) }));
}
