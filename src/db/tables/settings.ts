import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Product defaults that the published standards do not fix (thresholds, start dates), kept as
 * data so a registrar can change them without a release. Seeded by a migration.
 */
export const registerSettings = pgTable('register_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
