import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Fixed-window counters shared by every instance: request rate limits and failed sign-ins
 * (src/lib/pg-counter-store.ts). A window starts at a key's first hit and lasts until
 * `expires_at`; an expired row is restarted in place by the next hit and deleted by a sweep.
 * Migration 0016 creates the table UNLOGGED: the counters are rewritten on every limited request,
 * are worthless after a crash, and skipping the WAL keeps that write off the commit's fsync.
 * Only the primary key is indexed, so the per-hit update stays a HOT update.
 */
export const limitCounters = pgTable('limit_counters', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
});
