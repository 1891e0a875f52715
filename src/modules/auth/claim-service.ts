import type { Db } from '../../db/client.ts';
import { problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { actingAs, type RequestContext } from '../../lib/context.ts';
import { passwordWeakness } from '../../lib/password-strength.ts';
import { hashPassword } from '../../lib/passwords.ts';
import { hashToken } from '../../lib/tokens.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { setPassword } from './accounts-repository.ts';
import { claimCodeIsLive, claimCodeOwner, consumeClaimCode } from './links-repository.ts';

// One answer for used, expired and unknown codes: the reply must not say which codes exist.
const INVALID_CLAIM = 'This claim code is not valid: it may have been used already or have expired. Ask your body to send a new one.';
const invalidClaim = () => problem('invalid-claim-code', INVALID_CLAIM, [{ in: 'body', field: 'token', message: 'not a valid claim code' }]);

/** A grandfathered member sets their first password with a single-use claim code. */
export function createClaimService({ db, clock }: { db: Db; clock: Clock }) {
  return {
    async claim(ctx: RequestContext, token: string, password: string) {
      const passwordHash = await hashPassword(password);
      return db.transaction(async (tx) => {
        const now = clock();
        // Read before the code is consumed: the person's email and name are an attacker's first
        // guesses, and a password refused for them must leave the code usable for a better one.
        const owner = await claimCodeOwner(tx, hashToken(token), now);
        if (!owner) throw invalidClaim();
        const weakness = passwordWeakness(password, [owner.email, owner.fullName]);
        if (weakness) throw problem('weak-password', 'The new password is too easy to guess.', [{ in: 'body', field: 'password', message: weakness }]);
        // One conditional statement consumes the code: of two concurrent claims, one finds nothing.
        const userId = await consumeClaimCode(tx, hashToken(token), now);
        if (!userId) throw invalidClaim();
        const user = await setPassword(tx, userId, passwordHash, now);
        await recordAudit(tx, actingAs(ctx, user!), { action: 'user.claimed', entityType: 'user', entityId: user!.id });
        return { claimed: true as const, email: user!.email };
      });
    },

    /** Whether a claim code still works (the claim page shows its form, or says the link is spent). */
    async isLive(token: string): Promise<boolean> {
      return claimCodeIsLive(db, hashToken(token), clock());
    },
  };
}
