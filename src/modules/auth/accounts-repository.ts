import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { mediators, refreshTokens, users } from '../../db/schema.ts';

/** An account as stored. */
export type UserRow = typeof users.$inferSelect;

/** The account, locked until the transaction ends. */
export async function lockUser(tx: Queryable, userId: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
  return row;
}

type NewUser = typeof users.$inferInsert;
type RefreshTokenRow = typeof refreshTokens.$inferSelect;

export async function userByEmail(q: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await q.select().from(users).where(eq(users.email, email));
  return row;
}

/** The account of `email`, locked until the transaction ends. */
export async function lockUserByEmail(tx: Queryable, email: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.email, email)).for('update');
  return row;
}

export async function userById(q: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await q.select().from(users).where(eq(users.id, id));
  return row;
}

/** The account as it is now, share-locked until commit. */
export async function shareLockUser(tx: Queryable, id: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id)).for('share');
  return row;
}

/** Only the lock: the row is read later, if at all. */
export async function shareLockUserId(tx: Queryable, id: string): Promise<void> {
  await tx.select({ id: users.id }).from(users).where(eq(users.id, id)).for('share');
}

/** The enabled account's password hash (null before a first password), locked until the transaction ends. */
export async function lockEnabledUserPassword(tx: Queryable, id: string): Promise<{ passwordHash: string | null } | undefined> {
  const [row] = await tx
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.id, id), isNull(users.disabledAt)))
    .for('update');
  return row;
}

export async function accountNameByEmail(q: Queryable, email: string): Promise<{ id: string; fullName: string } | undefined> {
  const [row] = await q.select({ id: users.id, fullName: users.fullName }).from(users).where(eq(users.email, email));
  return row;
}

export async function userWithMediatorId(q: Queryable, id: string): Promise<{ user: UserRow; mediatorId: string | null } | undefined> {
  const [row] = await q.select({ user: users, mediatorId: mediators.id }).from(users).leftJoin(mediators, eq(mediators.userId, users.id)).where(eq(users.id, id));
  return row;
}

/** The new account, or undefined when the email already has one. */
export async function insertUserUnlessEmailTaken(tx: Queryable, values: NewUser): Promise<UserRow | undefined> {
  const [row] = await tx.insert(users).values(values).onConflictDoNothing({ target: users.email }).returning();
  return row;
}

export async function insertMediatorOf(tx: Queryable, user: { id: string; fullName: string }): Promise<void> {
  await tx.insert(mediators).values({ userId: user.id, fullName: user.fullName });
}

/** A new password hash (which moves the session version) for the account. */
export async function setPassword(tx: Queryable, id: string, passwordHash: string, now: Date): Promise<UserRow | undefined> {
  const [row] = await tx.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.id, id)).returning();
  return row;
}

/** Voids every access token of the account. */
export async function bumpSessionVersion(tx: Queryable, id: string, now: Date): Promise<void> {
  await tx
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: now })
    .where(eq(users.id, id));
}

export async function sessionStateOf(q: Queryable, id: string): Promise<{ version: number; disabledAt: Date | null } | undefined> {
  const [row] = await q.select({ version: users.sessionVersion, disabledAt: users.disabledAt }).from(users).where(eq(users.id, id));
  return row;
}

export async function insertRefreshToken(tx: Queryable, values: typeof refreshTokens.$inferInsert): Promise<void> {
  await tx.insert(refreshTokens).values(values);
}

export async function refreshTokenByHash(q: Queryable, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  const [row] = await q.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  return row;
}

export async function refreshTokenOwner(q: Queryable, tokenHash: string): Promise<string | undefined> {
  const [row] = await q.select({ userId: refreshTokens.userId }).from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  return row?.userId;
}

/** Marks the token used if it is live, in one conditional statement: of two concurrent uses, one gets nothing. */
export async function spendRefreshToken(tx: Queryable, tokenHash: string, now: Date): Promise<RefreshTokenRow | undefined> {
  const [row] = await tx
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, now)))
    .returning();
  return row;
}

export async function revokeRefreshFamily(tx: Queryable, familyId: string, now: Date): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

/**
 * Revokes every live refresh token of an account, in the transaction of the change that ends its
 * sessions (that change moves the session version, which voids the access tokens).
 */
export async function revokeRefreshTokens(tx: Queryable, userId: string, now: Date): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}
