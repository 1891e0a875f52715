import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { claimTokens, users } from '../../db/schema.ts';
import { problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { actingAs, type RequestContext } from '../../lib/context.ts';
import { passwordWeakness } from '../../lib/password-strength.ts';
import { hashPassword } from '../../lib/passwords.ts';
import { hashToken } from '../../lib/tokens.ts';
import { recordAudit } from '../audit/audit-service.ts';

// One answer for used, expired and unknown codes: the reply must not say which codes exist.
const INVALID_CLAIM = 'This claim code is not valid: it may have been used already or have expired. Ask your body to send a new one.';
const invalidClaim = () => problem('invalid-claim-code', INVALID_CLAIM, [{ in: 'body', field: 'token', message: 'not a valid claim code' }]);

/** A grandfathered member sets their first password with a single-use claim code. */
export function createClaimService({ db, clock }: { db: Db; clock: Clock }) {
  const live = (token: string, now: Date) => and(eq(claimTokens.tokenHash, hashToken(token)), isNull(claimTokens.usedAt), isNull(claimTokens.revokedAt), gt(claimTokens.expiresAt, now));

  return {
    async claim(ctx: RequestContext, token: string, password: string) {
      const passwordHash = await hashPassword(password);
      return db.transaction(async (tx) => {
        const now = clock();
        // Read before the code is consumed: the person's email and name are an attacker's first
        // guesses, and a password refused for them must leave the code usable for a better one.
        const [owner] = await tx.select({ email: users.email, fullName: users.fullName }).from(claimTokens).innerJoin(users, eq(users.id, claimTokens.userId)).where(live(token, now));
        if (!owner) throw invalidClaim();
        const weakness = passwordWeakness(password, [owner.email, owner.fullName]);
        if (weakness) throw problem('weak-password', 'The new password is too easy to guess.', [{ in: 'body', field: 'password', message: weakness }]);
        // One conditional statement consumes the code: of two concurrent claims, one finds nothing.
        const [used] = await tx.update(claimTokens).set({ usedAt: now }).where(live(token, now)).returning({ userId: claimTokens.userId });
        if (!used) throw invalidClaim();
        const [user] = await tx
          .update(users)
          .set({ passwordHash, updatedAt: now })
          .where(eq(users.id, used.userId))
          .returning({ id: users.id, email: users.email, role: users.role, body: users.body });
        await recordAudit(tx, actingAs(ctx, user!), { action: 'user.claimed', entityType: 'user', entityId: user!.id });
        return { claimed: true as const, email: user!.email };
      });
    },

    /** Whether a claim code still works (the claim page shows its form, or says the link is spent). */
    async isLive(token: string): Promise<boolean> {
      const [row] = await db.select({ id: claimTokens.id }).from(claimTokens).where(live(token, clock()));
      return Boolean(row);
    },
  };
}
