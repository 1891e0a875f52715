import { and, count, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { recoveryCodes, users } from '../../db/schema.ts';

/** Seals a new secret, not yet in force; false when a second factor is already on. */
export async function startTotpEnrolment(q: Queryable, userId: string, sealedSecret: string): Promise<boolean> {
  const [started] = await q
    .update(users)
    .set({ totpSecret: sealedSecret })
    .where(and(eq(users.id, userId), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  return Boolean(started);
}

/** Puts the secret in force, only if it is still the one given (a concurrent restart of enrolment wins). */
export async function enableTotp(tx: Queryable, userId: string, sealedSecret: string, now: Date): Promise<boolean> {
  const [enabled] = await tx
    .update(users)
    .set({ totpEnabledAt: now, updatedAt: now })
    .where(and(eq(users.id, userId), eq(users.totpSecret, sealedSecret), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  return Boolean(enabled);
}

/** Drops an unconfirmed secret, only the one given (a restart meanwhile stands). */
export async function cancelTotpEnrolment(tx: Queryable, userId: string, sealedSecret: string): Promise<boolean> {
  const [cancelled] = await tx
    .update(users)
    .set({ totpSecret: null })
    .where(and(eq(users.id, userId), eq(users.totpSecret, sealedSecret), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  return Boolean(cancelled);
}

/** Second factor off and its secret and recovery codes gone. */
export async function clearSecondFactor(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx.update(users).set({ totpSecret: null, totpEnabledAt: null, updatedAt: now }).where(eq(users.id, userId));
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

export async function replaceRecoveryCodes(tx: Queryable, userId: string, codeHashes: string[]): Promise<void> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(codeHashes.map((codeHash) => ({ userId, codeHash })));
}

/** Marks an unused recovery code used, in one conditional statement: two concurrent uses cannot both succeed. */
export async function markRecoveryCodeUsed(tx: Queryable, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const [spent] = await tx
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return Boolean(spent);
}

export async function recoveryCodesLeft(q: Queryable, userId: string): Promise<number> {
  const [left] = await q
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return left!.n;
}
