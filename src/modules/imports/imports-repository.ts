import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { queryRows, type Tx } from '../../db/client.ts';
import { claimTokens, mediators, users } from '../../db/schema.ts';
import type { Body } from '../../domain/vocabulary.ts';
import { LOCK_KEYS, lockForTransaction } from '../../db/advisory-locks.ts';
import { chunks, recordset } from '../../db/batches.ts';

/** Rows per statement of the import's batched reads and writes. */
export const BATCH = 1000;

// A member's profile as the file gives it; register-entries puts it on the register.
const PROFILE_COLUMNS = sql.raw(`user_id, full_name, body, membership_number, organisation, regions, languages, contact_email, contact_phone, website, show_email, show_phone, show_website`);
const PROFILE_TYPES = sql`"userId" uuid, "fullName" text, body body, "membershipNumber" text, organisation text, regions text[], languages text[],
  "contactEmail" text, "contactPhone" text, website text, "showEmail" boolean, "showPhone" boolean, "showWebsite" boolean`;

/** Imports into one body take turns, so overlapping files cannot both create a member. */
export async function lockImports(tx: Tx, body: Body): Promise<void> {
  await lockForTransaction(tx, LOCK_KEYS.imports[body]);
}

/** Membership number → account email of the body's members holding one of `numbers`. */
export async function membershipHolders(tx: Tx, body: Body, numbers: string[]): Promise<Map<string, string>> {
  const held = new Map<string, string>();
  for (const batch of chunks(numbers, BATCH)) {
    const rows = await tx
      .select({ number: mediators.membershipNumber, email: users.email })
      .from(mediators)
      .innerJoin(users, eq(users.id, mediators.userId))
      .where(and(eq(mediators.body, body), inArray(mediators.membershipNumber, batch)));
    for (const r of rows) held.set(r.number!, r.email);
  }
  return held;
}

/** Which of `emails` an account already uses, lower-cased. */
export async function takenEmails(tx: Tx, emails: string[]): Promise<Set<string>> {
  const taken = new Set<string>();
  for (const batch of chunks(emails, BATCH)) {
    for (const r of await tx.select({ email: users.email }).from(users).where(inArray(users.email, batch))) taken.add(r.email.toLowerCase());
  }
  return taken;
}

/** New mediator accounts (no password: they are claimed), one statement. */
export function insertAccounts(tx: Tx, people: Array<{ email: string; fullName: string }>) {
  return queryRows<{ id: string; email: string; fullName: string }>(
    tx,
    sql`INSERT INTO users (email, full_name, role)
        SELECT email, "fullName", 'mediator' FROM ${recordset(people, 'x', sql`email text, "fullName" text`)}
        RETURNING id, email, full_name AS "fullName"`,
  );
}

/** Their profiles (keyed as PROFILE_TYPES names them), one statement; not yet on the register. */
export function insertProfiles(tx: Tx, profiles: readonly object[]) {
  return queryRows<{ id: string; userId: string }>(tx, sql`INSERT INTO mediators (${PROFILE_COLUMNS}) SELECT * FROM ${recordset(profiles, 'x', PROFILE_TYPES)} RETURNING id, user_id AS "userId"`);
}

/** Stores claim token hashes, one statement per batch. */
export async function insertClaimTokens(tx: Tx, rows: Array<{ userId: string; tokenHash: string }>, expiresAt: Date): Promise<void> {
  for (const b of chunks(rows, BATCH)) {
    await tx.execute(sql`INSERT INTO claim_tokens (user_id, token_hash, expires_at)
      SELECT "userId", "tokenHash", ${expiresAt}::timestamptz FROM ${recordset(b, 'x', sql`"userId" uuid, "tokenHash" text`)}`);
  }
}

/** The entry and its account, the account row locked for the change. */
export async function lockEntryAccount(tx: Tx, mediatorId: string) {
  const [row] = await tx.select({ m: mediators, u: users }).from(mediators).innerJoin(users, eq(users.id, mediators.userId)).where(eq(mediators.id, mediatorId)).for('update', { of: users });
  return row;
}

/** Revokes the account's claim tokens that are neither used nor revoked. */
export async function revokeClaimTokens(tx: Tx, userId: string, at: Date): Promise<void> {
  await tx
    .update(claimTokens)
    .set({ revokedAt: at })
    .where(and(eq(claimTokens.userId, userId), isNull(claimTokens.usedAt), isNull(claimTokens.revokedAt)));
}
