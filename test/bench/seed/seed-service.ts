import { sql, queryRows, type Db, type Tx } from '../../../src/db/client.ts';
import { recordset } from '../../../src/db/batches.ts';
import { registerYear, registerYearOf } from '../../../src/domain/register-year.ts';
import { ruleSetInForce } from '../../../src/domain/rule-set.ts';
import { londonDate, type Clock } from '../../../src/lib/clock.ts';
import type { RequestContext } from '../../../src/lib/context.ts';
import { recordAudit } from '../../../src/modules/audit/audit-service.ts';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { loadRuleSets } from '../../../src/modules/rule-sets/rule-sets-repository.ts';
import { currentSettings } from '../../../src/modules/settings/settings-repository.ts';
import { FAKE_BATCH, SEED_EMAIL_DOMAIN, fakeMediators, type FakeContext, type FakeMediator } from './fake-mediators.ts';

export interface SeedDeps {
  db: Db;
  clock: Clock;
}

/** Called after each batch: mediators added so far by this run, of those it adds. */
export type SeedProgress = (added: number, adding: number) => void;

export interface SeedSummary {
  /** Seeded mediators before this run and after it. */
  before: number;
  after: number;
}

// A batch goes in as one JSON parameter (src/db/batches.ts): building a 25-column multi-row VALUES
// through the query builder cost more CPU than PostgreSQL spent inserting it.
const INSERT_BATCH = 5 * FAKE_BATCH;

/**
 * Demo and benchmark data. `seedMediators(ctx, n)` makes sure the first n fake mediators exist:
 * a rerun changes nothing and a larger n adds the difference, always the same people.
 *
 * Seeded rows get one audit event for the whole run rather than one per row: they are demo data,
 * not decisions anyone made, and a hundred thousand invented events would bury the real chain.
 */
export function createSeedService({ db, clock }: SeedDeps) {
  return {
    async seedMediators(ctx: RequestContext, count: number, onProgress?: SeedProgress): Promise<SeedSummary> {
      return db.transaction(async (tx) => {
        // A bulk load of 100,000 people runs single statements of several seconds: past the limit
        // that protects requests (DB_STATEMENT_TIMEOUT_MS), so this one transaction sets its own.
        await tx.execute(sql`SELECT set_config('statement_timeout', '10min', true), set_config('idle_in_transaction_session_timeout', '10min', true)`);
        const before = await countSeeded(tx);
        if (before >= count) return { before, after: before };
        const fakeCtx: FakeContext = {
          today: londonDate(clock()),
          grandfatheredComplianceStart: (await currentSettings(tx)).settings.grandfatheringComplianceStart,
        };
        const logsSince = await previousRegisterYearStart(tx, fakeCtx.today);
        for (let from = before; from < count; from += INSERT_BATCH) {
          const batch = fakeMediators(from, Math.min(from + INSERT_BATCH, count), fakeCtx);
          await insertBatch(tx, batch);
          await writeSeedStatuses(tx, batch, clock());
          await insertLogEntries(
            tx,
            batch.map((m) => m.mediator.id),
            logsSince,
            fakeCtx.today,
          );
          onProgress?.(from + batch.length - before, count - before);
        }
        // A bulk load leaves the planner without statistics until autovacuum gets round to it.
        await tx.execute(sql`ANALYZE users, mediators, status_history, cpd_entries, practice_entries`);
        await recordAudit(tx, ctx, {
          action: 'seed.mediators_created',
          entityType: 'seed',
          entityId: SEED_EMAIL_DOMAIN,
          before: { mediators: before },
          after: { mediators: count },
        });
        return { before, after: count };
      });
    },
  };
}

export type SeedService = ReturnType<typeof createSeedService>;

async function insertBatch(tx: Tx, batch: FakeMediator[]): Promise<void> {
  await tx.execute(sql`
    INSERT INTO users (id, email, full_name, role)
    SELECT id, email, full_name, 'mediator' FROM ${recordset(
      batch.map((m) => ({ id: m.user.id, email: m.user.email, full_name: m.user.fullName })),
      'x',
      sql`id uuid, email text, full_name text`,
    )}
  `);
  const rows = batch.map(({ mediator: m }) => ({
    id: m.id,
    user_id: m.userId,
    full_name: m.fullName,
    body: m.body,
    membership_number: m.membershipNumber,
    route: m.route,
    standards_version: m.standardsVersion,
    first_accredited_on: m.firstAccreditedOn,
    compliance_start_on: m.complianceStartOn,
    imported_on: m.importedOn,
    organisation: m.organisation,
    regions: m.regions,
    languages: m.languages,
    contact_email: m.contactEmail,
    contact_phone: m.contactPhone,
    website: m.website,
    show_email: m.showEmail,
    show_phone: m.showPhone,
    show_website: m.showWebsite,
    insurer: m.insurer,
    insurance_cover_gbp: m.insuranceCoverGbp,
    insurance_expires_on: m.insuranceExpiresOn,
  }));
  // Profiles first, without a status: writeSeedStatuses puts them on the register.
  await tx.execute(sql`
    INSERT INTO mediators (id, user_id, full_name, body, membership_number, route, standards_version,
      first_accredited_on, compliance_start_on, imported_on, organisation, regions, languages, contact_email,
      contact_phone, website, show_email, show_phone, show_website, insurer, insurance_cover_gbp, insurance_expires_on)
    SELECT * FROM ${recordset(
      rows,
      'x',
      sql`id uuid, user_id uuid, full_name text, body body,
      membership_number text, route register_route, standards_version text, first_accredited_on date,
      compliance_start_on date, imported_on date, organisation text, regions text[], languages text[],
      contact_email text, contact_phone text, website text, show_email boolean, show_phone boolean, show_website boolean,
      insurer text, insurance_cover_gbp integer, insurance_expires_on date`,
    )}
  `);
}

/**
 * Through the register's one writer of status (register-entries), backdated: each entry's
 * accreditation, and the later change for those no longer accredited, with their history rows.
 * Not through its service: invented entries get no audit event or mail each.
 */
async function writeSeedStatuses(tx: Tx, batch: FakeMediator[], now: Date): Promise<void> {
  await writeStatuses(
    tx,
    batch.map(({ mediator: m }) => ({
      id: m.id,
      from: null,
      to: 'accredited',
      reason: m.route === 'grandfathered_2018' ? 'Passported under the 2018 standards' : 'Application approved under the 2024 standards',
      at: m.status === 'accredited' ? m.statusChangedAt : new Date(`${m.firstAccreditedOn}T00:00:00Z`),
    })),
    { userId: null, role: 'system' },
    now,
  );
  const changed = batch.filter(({ mediator: m }) => m.status !== 'accredited');
  await writeStatuses(
    tx,
    changed.map(({ mediator: m }) => ({
      id: m.id,
      from: 'accredited',
      to: m.status,
      reason: m.status === 'lapsed' ? 'Membership of the home body not renewed' : 'Suspended while a complaint is investigated',
      at: m.statusChangedAt,
    })),
    { userId: null, role: 'admin' },
    now,
  );
}

const CPD_TITLES = [
  'SEND Code of Practice: what changed',
  'EHC plans and the First-tier Tribunal',
  'Mediating with parents of autistic children',
  'Safeguarding for mediators',
  'Reasonable adjustments in mediation',
  'Preparing for a SEND mediation',
  'Reflective practice group',
];
const CPD_PROVIDERS = ['College of Mediators', 'Civil Mediation Council', 'IPSEA', 'Council for Disabled Children', 'Peer group'];
const textArray = (values: string[]) => sql`ARRAY(SELECT json_array_elements_text(${JSON.stringify(values)}::json))`;
// A non-negative int well clear of overflow when small offsets are added.
const HASH_MASK = 0x3fffffff;

/**
 * CPD and practice for each new mediator from the start of the previous register year (a year or
 * more) to today, within their obligations start and, for those no longer accredited, the day they
 * stopped. The pattern repeats yearly, so any register year holds 12 h of CPD (6 SEND), 15 h of
 * practice with 2 SEND mediations and 4 h of supervision: the default rules, just met. About one in
 * eight logs half as much and falls behind. Who, and the dates, follow from the membership number:
 * the same people always.
 */
async function insertLogEntries(tx: Tx, mediatorIds: string[], since: string, today: string): Promise<void> {
  const owners = sql`
    SELECT id, h, h % 8 = 0 AS short,
           greatest(coalesce(compliance_start_on, first_accredited_on), ${since}::date) AS since,
           CASE WHEN status = 'accredited' THEN ${today}::date
                ELSE least(${today}::date, (status_changed_at AT TIME ZONE 'Europe/London')::date) END AS until
      FROM mediators, LATERAL (SELECT hashtext(membership_number) & ${HASH_MASK} AS h) hashed
     WHERE id IN (SELECT json_array_elements_text(${JSON.stringify(mediatorIds)}::json)::uuid)`;
  // Four CPD entries a year (every 91 days), every other one SEND-specific.
  await tx.execute(sql`
    WITH m AS (${owners})
    INSERT INTO cpd_entries (mediator_id, date, hours, category, send_specific, title, provider)
    SELECT m.id, d.date, CASE WHEN m.short THEN 1.5 ELSE 3 END,
           (enum_range(NULL::cpd_category))[1 + (m.h + k) % 6], k % 2 = 0,
           (${textArray(CPD_TITLES)})[1 + (m.h + k) % ${CPD_TITLES.length}], (${textArray(CPD_PROVIDERS)})[1 + (m.h + k) % ${CPD_PROVIDERS.length}]
      FROM m, generate_series(0, 8) k, LATERAL (SELECT m.since + (m.h % 91)::int + k * 91 AS date) d
     WHERE d.date <= m.until`);
  // Five practice entries a year (every 73 days): a SEND mediation, a SEND co-mediation, another
  // mediation and two supervision sessions.
  await tx.execute(sql`
    WITH m AS (${owners})
    INSERT INTO practice_entries (mediator_id, date, hours, kind, outcome)
    SELECT m.id, d.date, p.hours * CASE WHEN m.short THEN 0.5 ELSE 1 END, p.kind,
           CASE WHEN p.kind IN ('send_mediation', 'send_co_mediation') THEN (enum_range(NULL::send_outcome))[1 + (m.h + k) % 4] END
      FROM m, generate_series(0, 10) k,
           LATERAL (SELECT m.since + (m.h % 73)::int + k * 73 AS date) d,
           LATERAL (SELECT (ARRAY['send_mediation', 'supervision_received', 'other_mediation', 'send_co_mediation',
                                  'supervision_received']::practice_kind[])[1 + k % 5] AS kind,
                           (ARRAY[5, 2, 5, 5, 2])[1 + k % 5] AS hours) p
     WHERE d.date <= m.until`);
}

/** The first day of the register year before the one containing `today`, under the rules in force. */
async function previousRegisterYearStart(tx: Tx, today: string): Promise<string> {
  const set = ruleSetInForce(await loadRuleSets(tx), today);
  return registerYear(registerYearOf(today, set).year - 1, set).start;
}

async function countSeeded(tx: Tx): Promise<number> {
  const [row] = await queryRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM users WHERE email LIKE ${`%@${SEED_EMAIL_DOMAIN}`}`);
  return row!.n;
}
