import { eq, sql as dsql } from 'drizzle-orm';
import { queryRows, sql, type Queryable } from '../../db/client.ts';
import { users } from '../../db/schema.ts';
import type { ApplicationStatus } from '../../domain/vocabulary.ts';
import type { UserRow } from '../auth/accounts-repository.ts';
import { ERASED } from '../audit/audit-leaf.ts';

// The statements of erasing a person (POST /v1/admin/users/:id/erase), each run in its transaction.

/** The unique address an erased account keeps, so its own can be registered again. */
export const erasedEmail = (userId: string) => `erased-${userId}@erased.invalid`;

/** The statuses of the person's applications, locked so none is submitted or decided meanwhile. */
export async function lockApplicationStatuses(tx: Queryable, mediatorId: string): Promise<ApplicationStatus[]> {
  const rows = await queryRows<{ status: ApplicationStatus }>(tx, sql`SELECT status FROM applications WHERE mediator_id = ${mediatorId} FOR UPDATE`);
  return rows.map((r) => r.status);
}

/**
 * Everything held for signing in or writing to the account, in one statement: refresh tokens,
 * recovery codes, claim codes, reset links, registrations pending for its address, and every outbox
 * message to it (sent or not: their data holds names and links).
 */
export async function deleteAccountRecords(tx: Queryable, userId: string, email: string): Promise<void> {
  await tx.execute(sql`
    WITH refresh AS (DELETE FROM refresh_tokens WHERE user_id = ${userId}),
         recovery AS (DELETE FROM recovery_codes WHERE user_id = ${userId}),
         claims AS (DELETE FROM claim_tokens WHERE user_id = ${userId}),
         resets AS (DELETE FROM password_resets WHERE user_id = ${userId}),
         pending AS (DELETE FROM pending_registrations WHERE email = ${email})
    DELETE FROM notifications WHERE user_id = ${userId} OR lower(recipient) = lower(${email})`);
}

/**
 * The account without its personal data, disabled (from the earlier date if it already was). The
 * password and second-factor changes move its session version (migration 0017), which ends its sessions.
 */
export async function eraseAccount(tx: Queryable, userId: string, now: Date): Promise<UserRow> {
  const [row] = await tx
    .update(users)
    .set({
      email: erasedEmail(userId),
      fullName: ERASED,
      passwordHash: null,
      totpSecret: null,
      totpEnabledAt: null,
      disabledAt: dsql`coalesce(${users.disabledAt}, ${now.toISOString()}::timestamptz)`,
      updatedAt: now,
    })
    .where(eq(users.id, userId))
    .returning();
  return row!;
}

/**
 * The personal fields of the person's mediator record and of what hangs from it, in one statement:
 * name and contact details, insurance, application evidence and the panel's and deciders' words,
 * CPD and practice text, and the reasons given for their exemptions and status changes. Ids,
 * statuses, dates, hours, body and membership number stay.
 */
export async function eraseMediatorRecords(tx: Queryable, mediatorId: string, now: Date): Promise<void> {
  await tx.execute(sql`
    WITH profile AS (
           UPDATE mediators SET full_name = ${ERASED}, organisation = NULL, contact_email = NULL, contact_phone = NULL, website = NULL,
                  show_email = FALSE, show_phone = FALSE, show_website = FALSE, insurer = NULL, insurance_cover_gbp = NULL,
                  insurance_expires_on = NULL, updated_at = ${now.toISOString()}::timestamptz
            WHERE id = ${mediatorId}),
         apps AS (
           UPDATE applications SET evidence = '{}'::jsonb,
                  assessment_notes = CASE WHEN assessment_notes IS NOT NULL THEN ${ERASED} END,
                  decision_reasons = CASE WHEN decision_reasons IS NOT NULL THEN ${ERASED} END
            WHERE mediator_id = ${mediatorId}),
         cpd AS (UPDATE cpd_entries SET title = ${ERASED}, provider = NULL, reflection = NULL, evidence_ref = NULL WHERE mediator_id = ${mediatorId}),
         practice AS (UPDATE practice_entries SET case_reference = NULL WHERE mediator_id = ${mediatorId}),
         adjustments AS (UPDATE compliance_adjustments SET reason = ${ERASED} WHERE mediator_id = ${mediatorId})
    UPDATE status_history SET reason = ${ERASED} WHERE mediator_id = ${mediatorId}`);
}

/**
 * Deletes the kept personal values of every audit event about the person: their account, their
 * mediator record, their applications and their CPD and practice entries (those deleted since
 * included: only their owner writes them). The events and their commitments stay, so every leaf
 * hash, proof and checkpoint does too. Answers how many values went.
 */
export async function eraseAuditValuesAbout(tx: Queryable, userId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    tx,
    sql`WITH m AS (SELECT id FROM mediators WHERE user_id = ${userId}),
             about (entity_type, entity_id) AS (
               SELECT 'user', ${userId}::text
               UNION SELECT 'mediator', m.id::text FROM m
               UNION SELECT 'application', a.id::text FROM applications a JOIN m ON a.mediator_id = m.id
               UNION SELECT 'cpd_entry', c.id::text FROM cpd_entries c JOIN m ON c.mediator_id = m.id
               UNION SELECT 'practice_entry', p.id::text FROM practice_entries p JOIN m ON p.mediator_id = m.id
               UNION SELECT e.entity_type, e.entity_id FROM audit_events e
                      WHERE e.actor_id = ${userId} AND e.entity_type IN ('cpd_entry', 'practice_entry')),
             erased AS (
               DELETE FROM audit_personal_values v USING audit_events e, about a
                WHERE v.seq = e.seq AND e.entity_type = a.entity_type AND e.entity_id = a.entity_id
               RETURNING 1)
        SELECT count(*)::int AS n FROM erased`,
  );
  return row!.n;
}
