import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { bodyEnum, collatedText, createdAt, mediatorStatusEnum, routeEnum, updatedAt } from './columns.ts';
import { users } from './users.ts';

/**
 * A mediator's profile and, once accredited, their register entry. `status` is null until the
 * person is on the register (approval of an application, or grandfathering import).
 */
export const mediators = pgTable(
  'mediators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: 'restrict' }),
    fullName: text('full_name').notNull(),
    body: bodyEnum('body'),
    membershipNumber: text('membership_number'),
    status: mediatorStatusEnum('status'),
    route: routeEnum('route'),
    standardsVersion: text('standards_version'),
    firstAccreditedOn: date('first_accredited_on', { mode: 'string' }),
    /** First day of the first register year whose CPD/practice obligations apply. */
    complianceStartOn: date('compliance_start_on', { mode: 'string' }),
    /** London date a grandfathered member was imported: their obligations start no earlier. */
    importedOn: date('imported_on', { mode: 'string' }),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true, mode: 'date' }),
    organisation: text('organisation'),
    regions: text('regions').array().notNull().default(sql`'{}'::text[]`),
    languages: text('languages').array().notNull().default(sql`'{}'::text[]`),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    website: text('website'),
    showEmail: boolean('show_email').notNull().default(false),
    showPhone: boolean('show_phone').notNull().default(false),
    showWebsite: boolean('show_website').notNull().default(false),
    insurer: text('insurer'),
    insuranceCoverGbp: integer('insurance_cover_gbp'),
    insuranceExpiresOn: date('insurance_expires_on', { mode: 'string' }),
    /**
     * What public search matches (register_search_text(), migration 0006): no case, accents or
     * apostrophes; the organisation only while accredited, as the register publishes it (migration 0020).
     */
    searchText: text('search_text').generatedAlwaysAs(sql`register_search_text(full_name, CASE WHEN status = 'accredited' THEN organisation END)`),
    /** The words of search_text: near misses find entries by word (register_name_words, migration 0020). */
    searchWords: text('search_words').array().generatedAlwaysAs(sql`string_to_array(register_search_text(full_name, CASE WHEN status = 'accredited' THEN organisation END), ' ')`),
    /** Every prefix of every language tag, lower case (en-GB: en and en-gb), so a search for en finds en-GB through an index. */
    languageTags: text('language_tags').array().generatedAlwaysAs(sql`register_language_tags(languages)`),
    /** Name order as people read it (Émilie among the E, Łukasz among the L), the same on every server: byte order of the folded name. */
    sortName: collatedText('sort_name').generatedAlwaysAs(sql`register_search_text(full_name, NULL)`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('mediators_body_membership_unique').on(t.body, t.membershipNumber),
    index('mediators_status_idx').on(t.status),
    index('mediators_public_search_idx').using('gin', sql`${t.searchText} gin_trgm_ops`).where(sql`status = 'accredited'`),
    // Migration 0020 adds INCLUDE (body, regions, language_tags, search_text), which drizzle cannot state: the
    // public search walks it in name order, filtering and matching without reading the table.
    index('mediators_public_name_idx').on(t.sortName, t.id).where(sql`status = 'accredited'`),
    // Entries of every status (search with ?status=, the export): the partial indexes above serve the default, accredited.
    index('mediators_register_name_idx').on(t.sortName, t.id).where(sql`status IS NOT NULL`),
    index('mediators_register_search_idx').using('gin', sql`${t.searchText} gin_trgm_ops`).where(sql`status IS NOT NULL`),
    index('mediators_search_words_idx').using('gin', t.searchWords).where(sql`status IS NOT NULL`),
    index('mediators_language_tags_idx').using('gin', t.languageTags).where(sql`status IS NOT NULL`),
  ],
);

/** Every change of register status, with its reason (internal) and who made it. */
export const statusHistory = pgTable(
  'status_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    mediatorId: uuid('mediator_id')
      .notNull()
      .references(() => mediators.id, { onDelete: 'cascade' }),
    fromStatus: mediatorStatusEnum('from_status'),
    toStatus: mediatorStatusEnum('to_status').notNull(),
    reason: text('reason').notNull(),
    actorUserId: uuid('actor_user_id'),
    actorRole: text('actor_role').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** Orders changes made in the same instant (a job run, a test clock) as they happened. */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
  },
  (t) => [index('status_history_mediator_idx').on(t.mediatorId, t.changedAt, t.seq)],
);
