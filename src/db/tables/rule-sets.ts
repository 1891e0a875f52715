import { sql } from 'drizzle-orm';
import { boolean, check, date, integer, jsonb, pgTable, uuid } from 'drizzle-orm/pg-core';
import type { Requirement } from '../../domain/rule-set.ts';
import type { CpdCategory } from '../../domain/vocabulary.ts';
import { createdAt } from './columns.ts';

/**
 * The annual requirements as data (docs/domain.md "CPD and practice logs, rule sets, your compliance"). Versions are only added, never changed:
 * the set in force at a period's start (latest `effective_from` on or before it) governs that
 * period. The default set is seeded by migration 0012.
 */
export const ruleSets = pgTable(
  'rule_sets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    effectiveFrom: date('effective_from', { mode: 'string' }).notNull().unique(),
    yearStartMonth: integer('year_start_month').notNull(),
    yearStartDay: integer('year_start_day').notNull(),
    requirements: jsonb('requirements').$type<Requirement[]>().notNull(),
    categoryCaps: jsonb('category_caps').$type<Partial<Record<CpdCategory, number>>>().notNull().default(sql`'{}'::jsonb`),
    graceDays: integer('grace_days').notNull(),
    reminderOffsets: integer('reminder_offsets').array().notNull(),
    graceReminderDays: integer('grace_reminder_days').notNull(),
    proRateFirstPeriod: boolean('pro_rate_first_period').notNull(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    check('rule_sets_year_start', sql`${t.yearStartMonth} BETWEEN 1 AND 12 AND ${t.yearStartDay} BETWEEN 1 AND 28`),
    check('rule_sets_grace', sql`${t.graceDays} >= 0 AND ${t.graceReminderDays} >= 0`),
  ],
);
