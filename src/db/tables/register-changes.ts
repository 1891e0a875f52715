import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { RegisterChangeKind } from '../../domain/vocabulary.ts';

/**
 * Every change the public can see (an entry added, its public fields or its status changed),
 * written by triggers on mediators and compliance_assessments (migration 0014), whoever made it;
 * and an entry leaving public view (`gone`), which only time does, written by the compliance job
 * (recordGoneEntries).
 * `position` is given at commit, under the lock of `register_head`, so positions follow commit
 * order: a reader that has seen position N has seen every change before it.
 */
export const registerChanges = pgTable(
  'register_changes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    position: bigint('position', { mode: 'number' }).unique(),
    mediatorId: uuid('mediator_id').notNull(),
    kind: text('kind').$type<RegisterChangeKind>().notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('register_changes_unsealed_idx').on(t.id).where(sql`position IS NULL`)],
);

/** The position of the latest public change and when it committed: one row. */
export const registerHead = pgTable(
  'register_head',
  {
    singleton: boolean('singleton').primaryKey().default(true),
    position: bigint('position', { mode: 'number' }).notNull().default(0),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('register_head_singleton', sql`${t.singleton}`)],
);

/** Transactions with public changes still to be given positions at commit (empty between commits). */
export const registerPending = pgTable('register_pending', {
  txid: text('txid').primaryKey(),
});
