import { and, eq, exists, gt, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { claimTokens, passwordResets, pendingRegistrations, users } from '../../db/schema.ts';

// The single-use links mailed or handed out: pending registrations, claim codes, password resets.
// Each is looked up by the hash of its token and used up by one conditional statement.

type PendingRegistrationRow = typeof pendingRegistrations.$inferSelect;

const liveRegistration = (tokenHash: string, now: Date) => and(eq(pendingRegistrations.tokenHash, tokenHash), gt(pendingRegistrations.expiresAt, now));

/** Expired registrations are swept by the requests that touch them rather than by a scheduled job. */
export async function sweepExpiredRegistrations(tx: Queryable, now: Date): Promise<void> {
  await tx.delete(pendingRegistrations).where(lte(pendingRegistrations.expiresAt, now));
}

export async function insertPendingRegistration(tx: Queryable, values: typeof pendingRegistrations.$inferInsert): Promise<void> {
  await tx.insert(pendingRegistrations).values(values);
}

export async function pendingRegistration(q: Queryable, tokenHash: string, now: Date): Promise<PendingRegistrationRow | undefined> {
  const [row] = await q.select().from(pendingRegistrations).where(liveRegistration(tokenHash, now));
  return row;
}

export async function registrationIsLive(q: Queryable, tokenHash: string, now: Date): Promise<boolean> {
  const [row] = await q.select({ id: pendingRegistrations.id }).from(pendingRegistrations).where(liveRegistration(tokenHash, now));
  return Boolean(row);
}

/** Deletes the live registration and answers it: of two concurrent verifies, one finds nothing. */
export async function consumeRegistration(tx: Queryable, tokenHash: string, now: Date): Promise<PendingRegistrationRow | undefined> {
  const [row] = await tx.delete(pendingRegistrations).where(liveRegistration(tokenHash, now)).returning();
  return row;
}

export async function deleteOtherRegistrations(tx: Queryable, email: string, keepId: string): Promise<void> {
  await tx.delete(pendingRegistrations).where(and(eq(pendingRegistrations.email, email), ne(pendingRegistrations.id, keepId)));
}

const liveClaim = (tokenHash: string, now: Date) => and(eq(claimTokens.tokenHash, tokenHash), isNull(claimTokens.usedAt), isNull(claimTokens.revokedAt), gt(claimTokens.expiresAt, now));

/** The email and name of the account a live claim code is for. */
export async function claimCodeOwner(q: Queryable, tokenHash: string, now: Date): Promise<{ email: string; fullName: string } | undefined> {
  const [row] = await q.select({ email: users.email, fullName: users.fullName }).from(claimTokens).innerJoin(users, eq(users.id, claimTokens.userId)).where(liveClaim(tokenHash, now));
  return row;
}

export async function claimCodeIsLive(q: Queryable, tokenHash: string, now: Date): Promise<boolean> {
  const [row] = await q.select({ id: claimTokens.id }).from(claimTokens).where(liveClaim(tokenHash, now));
  return Boolean(row);
}

/** Marks a live claim code used and answers its account: of two concurrent claims, one finds nothing. */
export async function consumeClaimCode(tx: Queryable, tokenHash: string, now: Date): Promise<string | undefined> {
  const [row] = await tx.update(claimTokens).set({ usedAt: now }).where(liveClaim(tokenHash, now)).returning({ userId: claimTokens.userId });
  return row?.userId;
}

export async function revokeClaimCodes(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx
    .update(claimTokens)
    .set({ revokedAt: now })
    .where(and(eq(claimTokens.userId, userId), isNull(claimTokens.usedAt), isNull(claimTokens.revokedAt)));
}

// A disabled account's links are dead whatever their rows say (disabling revokes them as well).
const liveReset = (q: Queryable, tokenHash: string, now: Date) =>
  and(
    eq(passwordResets.tokenHash, tokenHash),
    isNull(passwordResets.usedAt),
    isNull(passwordResets.revokedAt),
    gt(passwordResets.expiresAt, now),
    exists(
      q
        .select({ one: sql`1` })
        .from(users)
        .where(and(eq(users.id, passwordResets.userId), isNull(users.disabledAt))),
    ),
  );

export async function insertResetLink(tx: Queryable, values: typeof passwordResets.$inferInsert): Promise<void> {
  await tx.insert(passwordResets).values(values);
}

/** Revokes the account's live reset links: a newer one replaces them, or the account is disabled. */
export async function revokeResetLinks(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx
    .update(passwordResets)
    .set({ revokedAt: now })
    .where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt), isNull(passwordResets.revokedAt)));
}

/** The account a live reset link is for. */
export async function resetLinkOwner(q: Queryable, tokenHash: string, now: Date): Promise<{ userId: string; email: string; fullName: string } | undefined> {
  const [row] = await q
    .select({ userId: users.id, email: users.email, fullName: users.fullName })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(liveReset(q, tokenHash, now));
  return row;
}

export async function resetLinkIsLive(q: Queryable, tokenHash: string, now: Date): Promise<boolean> {
  const [row] = await q
    .select({ id: passwordResets.id })
    .from(passwordResets)
    .where(liveReset(q, tokenHash, now));
  return Boolean(row);
}

/** Marks a live reset link used and answers its account: of two concurrent resets, one finds nothing. */
export async function consumeResetLink(tx: Queryable, tokenHash: string, now: Date): Promise<string | undefined> {
  const [row] = await tx
    .update(passwordResets)
    .set({ usedAt: now })
    .where(liveReset(tx, tokenHash, now))
    .returning({ userId: passwordResets.userId });
  return row?.userId;
}
