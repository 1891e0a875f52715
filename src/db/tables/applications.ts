import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Evidence, Verdicts } from '../../domain/application-criteria.ts';
import { APPLICATION_STATUSES, OPEN_APPLICATION_STATUSES } from '../../domain/vocabulary.ts';
import { bodyEnum, createdAt, updatedAt } from './columns.ts';
import { mediators } from './mediators.ts';

export const applicationStatusEnum = pgEnum('application_status', APPLICATION_STATUSES);

/** Approved SEND training providers; a course counts only if completed inside an approval period. */
export const trainingProviders = pgTable(
  'training_providers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    approvedFrom: date('approved_from', { mode: 'string' }).notNull(),
    approvedUntil: date('approved_until', { mode: 'string' }),
    createdAt: createdAt(),
  },
  (t) => [check('training_providers_period', sql`${t.approvedUntil} IS NULL OR ${t.approvedUntil} >= ${t.approvedFrom}`)],
);

/** An application against the 2024 standards: evidence per criterion, the assessment and the decision. */
export const applications = pgTable(
  'applications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mediatorId: uuid('mediator_id')
      .notNull()
      .references(() => mediators.id, { onDelete: 'cascade' }),
    status: applicationStatusEnum('status').notNull().default('draft'),
    /** From the membership criterion: whose admins decide it. */
    body: bodyEnum('body'),
    standardsVersion: text('standards_version').notNull().default('2024'),
    evidence: jsonb('evidence').$type<Evidence>().notNull().default(sql`'{}'::jsonb`),
    verdicts: jsonb('verdicts').$type<Verdicts>().notNull().default(sql`'{}'::jsonb`),
    recommendation: text('recommendation'),
    assessmentNotes: text('assessment_notes'),
    assessedBy: uuid('assessed_by'),
    assessedAt: timestamp('assessed_at', { withTimezone: true, mode: 'date' }),
    decisionReasons: text('decision_reasons'),
    decidedBy: uuid('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    submittedAt: timestamp('submitted_at', { withTimezone: true, mode: 'date' }),
    /** The register settings version whose thresholds the submission was checked against. */
    settingsVersion: integer('settings_version'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // One open application per mediator, enforced by the database rather than a read-then-write.
    uniqueIndex('applications_one_open')
      .on(t.mediatorId)
      .where(sql`status IN (${sql.raw(OPEN_APPLICATION_STATUSES.map((status) => `'${status}'`).join(', '))})`),
    index('applications_queue_idx').on(t.status, t.body, t.submittedAt),
  ],
);
