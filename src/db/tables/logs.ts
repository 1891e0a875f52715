import { sql } from 'drizzle-orm';
import { boolean, check, date, index, numeric, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { CPD_CATEGORIES, PRACTICE_KINDS, SEND_OUTCOMES } from '../../domain/vocabulary.ts';
import { createdAt, updatedAt } from './columns.ts';
import { mediators } from './mediators.ts';

export const cpdCategoryEnum = pgEnum('cpd_category', CPD_CATEGORIES);
export const practiceKindEnum = pgEnum('practice_kind', PRACTICE_KINDS);
export const sendOutcomeEnum = pgEnum('send_outcome', SEND_OUTCOMES);

// numeric(5,2) keeps quarter hours exact; read back as numbers.
const hours = () => numeric('hours', { precision: 5, scale: 2, mode: 'number' }).notNull();

/** A mediator's CPD (docs/domain.md "CPD and practice logs, rule sets, your compliance"). The evidence reference is text, never fetched. */
export const cpdEntries = pgTable(
  'cpd_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mediatorId: uuid('mediator_id')
      .notNull()
      .references(() => mediators.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    hours: hours(),
    category: cpdCategoryEnum('category').notNull(),
    sendSpecific: boolean('send_specific').notNull(),
    title: text('title').notNull(),
    provider: text('provider'),
    reflection: text('reflection'),
    evidenceRef: text('evidence_ref'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('cpd_entries_mediator_date_idx').on(t.mediatorId, t.date, t.id), check('cpd_entries_hours', sql`${t.hours} BETWEEN 0.25 AND 40 AND mod(${t.hours} * 4, 1) = 0`)],
);

/** A mediator's practice: mediations and supervision received. No personal data of families. */
export const practiceEntries = pgTable(
  'practice_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mediatorId: uuid('mediator_id')
      .notNull()
      .references(() => mediators.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    hours: hours(),
    kind: practiceKindEnum('kind').notNull(),
    outcome: sendOutcomeEnum('outcome'),
    caseReference: text('case_reference'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('practice_entries_mediator_date_idx').on(t.mediatorId, t.date, t.id),
    check('practice_entries_hours', sql`${t.hours} BETWEEN 0.25 AND 24 AND mod(${t.hours} * 4, 1) = 0`),
    check('practice_entries_outcome', sql`(${t.outcome} IS NOT NULL) = (${t.kind} IN ('send_mediation', 'send_co_mediation'))`),
  ],
);
