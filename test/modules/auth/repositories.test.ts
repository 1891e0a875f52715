import { eq } from 'drizzle-orm';
import t from 'tap';
import { claimTokens, users } from '../../../src/db/schema.ts';
import { insertRefreshToken, refreshTokenByHash, revokeRefreshFamily, spendRefreshToken } from '../../../src/modules/auth/accounts-repository.ts';
import { claimCodeIsLive, claimCodeOwner, consumeClaimCode, consumeResetLink, insertResetLink, resetLinkIsLive, resetLinkOwner, revokeClaimCodes } from '../../../src/modules/auth/links-repository.ts';
import { buildTestApp, eachDatabase } from '../../helpers/app.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  const now = ta.clock();
  const later = new Date(now.getTime() + 3_600_000);
  const staff = await ta.staff('assessor');

  t.test('a reset link is live until used, expired or its account disabled', async (t) => {
    await insertResetLink(db, { userId: staff.userId, tokenHash: 'reset-1', expiresAt: later });
    t.equal(await resetLinkIsLive(db, 'reset-1', now), true);
    t.equal((await resetLinkOwner(db, 'reset-1', now))?.userId, staff.userId);
    t.equal(await resetLinkIsLive(db, 'reset-1', later), false, 'expired at its expiry');
    await db.update(users).set({ disabledAt: now }).where(eq(users.id, staff.userId));
    t.equal(await resetLinkIsLive(db, 'reset-1', now), false, 'a disabled account has no live link');
    t.equal(await consumeResetLink(db, 'reset-1', now), undefined);
    await db.update(users).set({ disabledAt: null }).where(eq(users.id, staff.userId));
    t.equal(await consumeResetLink(db, 'reset-1', now), staff.userId);
    t.equal(await consumeResetLink(db, 'reset-1', now), undefined, 'used once only');
  });

  t.test('a claim code is used once, and revoking ends it', async (t) => {
    await db.insert(claimTokens).values({ userId: staff.userId, tokenHash: 'claim-1', expiresAt: later });
    t.equal((await claimCodeOwner(db, 'claim-1', now))?.email, staff.email);
    t.equal(await consumeClaimCode(db, 'claim-1', now), staff.userId);
    t.equal(await consumeClaimCode(db, 'claim-1', now), undefined);
    await db.insert(claimTokens).values({ userId: staff.userId, tokenHash: 'claim-2', expiresAt: later });
    await revokeClaimCodes(db, staff.userId, now);
    t.equal(await claimCodeIsLive(db, 'claim-2', now), false);
  });

  t.test('a refresh token is spent once; revoking its family ends the rest', async (t) => {
    await insertRefreshToken(db, { userId: staff.userId, familyId: '00000000-0000-4000-8000-000000000001', tokenHash: 'refresh-1', expiresAt: later });
    t.equal((await spendRefreshToken(db, 'refresh-1', now))?.userId, staff.userId);
    t.equal(await spendRefreshToken(db, 'refresh-1', now), undefined);
    await insertRefreshToken(db, { userId: staff.userId, familyId: '00000000-0000-4000-8000-000000000001', tokenHash: 'refresh-2', expiresAt: later });
    await revokeRefreshFamily(db, '00000000-0000-4000-8000-000000000001', now);
    t.ok((await refreshTokenByHash(db, 'refresh-2'))?.revokedAt);
    t.equal(await spendRefreshToken(db, 'refresh-2', now), undefined);
  });
});
