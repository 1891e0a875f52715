import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The register's settings (product defaults the published standards do not fix: application
 * thresholds, the grandfathering start), one row per version. The newest version is in force; the
 * older ones explain a past decision with the values in force when it was made. Never updated.
 */
export const registerSettingsVersions = pgTable('register_settings_versions', {
  version: integer('version').primaryKey(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  reason: text('reason').notNull(),
  changedBy: uuid('changed_by'),
  changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
