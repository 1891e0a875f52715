import { desc, eq, lt } from 'drizzle-orm';
import { queryRows, sql, type Queryable } from '../../db/client.ts';
import { registerSettingsVersions } from '../../db/schema.ts';
import { LOCK_KEYS, lockForTransaction } from '../../db/advisory-locks.ts';
import { SettingsSchema, type Settings } from '../../../schemas/settings.ts';

export interface SettingsVersion {
  version: number;
  settings: Settings;
  reason: string;
  changedBy: string | null;
  changedAt: Date;
}

type Row = typeof registerSettingsVersions.$inferSelect;
const toVersion = (row: Row): SettingsVersion => ({ ...row, settings: SettingsSchema.parse(row.settings) });

/** Changes take turns until the transaction ends, so two registrars cannot both replace the same version. */
export async function lockSettings(tx: Queryable): Promise<void> {
  await lockForTransaction(tx, LOCK_KEYS.settings);
}

/** The version in force (the newest). */
export async function currentSettings(q: Queryable): Promise<SettingsVersion> {
  const [row] = await q.select().from(registerSettingsVersions).orderBy(desc(registerSettingsVersions.version)).limit(1);
  if (!row) throw new Error('No register settings: migrations not applied?');
  return toVersion(row);
}

export async function settingsVersion(q: Queryable, version: number): Promise<SettingsVersion | undefined> {
  const [row] = await q.select().from(registerSettingsVersions).where(eq(registerSettingsVersions.version, version));
  return row && toVersion(row);
}

/** Newest first, `limit` of them from below `before`. */
export async function settingsVersions(q: Queryable, limit: number, before: number | null): Promise<SettingsVersion[]> {
  const rows = await q
    .select()
    .from(registerSettingsVersions)
    .where(before === null ? undefined : lt(registerSettingsVersions.version, before))
    .orderBy(desc(registerSettingsVersions.version))
    .limit(limit);
  return rows.map(toVersion);
}

/** A new version; the primary key refuses a second writer of the same number (409). */
export async function insertSettingsVersion(q: Queryable, v: SettingsVersion): Promise<void> {
  await q.insert(registerSettingsVersions).values(v);
}

/**
 * Grandfathered members' obligations follow the grandfathering start (never before their import).
 * Only the start date moves: assessments already made stay as they are. Returns how many moved.
 */
export async function moveGrandfatheredStarts(q: Queryable, start: string): Promise<number> {
  const rows = await queryRows<{ id: string }>(
    q,
    sql`UPDATE mediators SET compliance_start_on = greatest(${start}::date, imported_on)
         WHERE route = 'grandfathered_2018' AND imported_on IS NOT NULL
           AND compliance_start_on IS DISTINCT FROM greatest(${start}::date, imported_on)
     RETURNING id`,
  );
  return rows.length;
}
