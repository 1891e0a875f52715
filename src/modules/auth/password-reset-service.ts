import { setTimeout as sleep } from 'node:timers/promises';
import { normaliseEmail } from '../../../schemas/auth.ts';
import type { Db } from '../../db/client.ts';
import { problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { actingAs, type RequestContext } from '../../lib/context.ts';
import type { CounterStore } from '../../lib/counter-store.ts';
import { createMailLimiter } from '../../lib/mail-limiter.ts';
import { passwordWeakness } from '../../lib/password-strength.ts';
import { hashPassword } from '../../lib/passwords.ts';
import { createPgCounterStore } from '../../lib/pg-counter-store.ts';
import { accountLink, accountPage } from '../../lib/public-url.ts';
import { hashToken, newToken } from '../../lib/tokens.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { enqueueNotifications } from '../notifications/outbox.ts';
import { lockEnabledUserPassword, lockUserByEmail, revokeRefreshTokens, setPassword } from './accounts-repository.ts';
import { consumeResetLink, insertResetLink, resetLinkIsLive, resetLinkOwner, revokeClaimCodes, revokeResetLinks } from './links-repository.ts';

export interface PasswordResetDeps {
  db: Db;
  clock: Clock;
  /** Base of the links in emails (PUBLIC_URL or its fallback), read when a mail is written. */
  publicUrl: () => string;
  /** Where requests per address are counted, shared by every instance; default this database. */
  counters?: CounterStore;
  /** The least time a request takes, in wall-clock milliseconds; default REQUEST_FLOOR_MS. */
  requestFloorMs?: number;
}

/**
 * Every reset request takes at least this long. A known address costs a lookup, revocation, insert,
 * mail and audit (some 15 ms) and an unknown one only the lookup, so without a floor the response
 * time would tell which addresses have accounts. Padded, both answer at the floor; it is far above
 * the work's usual time, which would show again only on a database slower than this.
 */
export const REQUEST_FLOOR_MS = 250;

/** Waits until `ms` have passed since `started` (performance.now). */
async function padTo(started: number, ms: number): Promise<void> {
  // A loop: a timer may fire a little early as performance.now counts (it starts from the event loop's cached time).
  for (let left = ms - (performance.now() - started); left > 0; left = ms - (performance.now() - started)) await sleep(Math.ceil(left));
}

const RESET_MS = 3_600_000;
/**
 * Reset mails one address may receive an hour: 3 asked for from one network, 10 from all together
 * (see mail-limiter.ts for the worst case); further requests answer the same and send nothing.
 */
const MAIL_LIMITS = { perNetwork: 3, perAddress: 10, windowMs: RESET_MS };
// One answer for used, expired, revoked and unknown links: the reply must not say which links exist.
const INVALID_RESET = 'This password reset link is not valid: it may have been used already, been replaced by a newer one or have expired. Ask for a new one.';
const invalidToken = () => problem('invalid-reset-link', INVALID_RESET, [{ in: 'body', field: 'token', message: 'not a valid password reset link' }]);

/**
 * Password reset by email: a single-use link, stored hashed, working one hour. Also how a
 * grandfathered member who lost their claim email sets a first password.
 */
export function createPasswordResetService(deps: PasswordResetDeps) {
  const { db, clock } = deps;
  const mails = createMailLimiter(deps.counters ?? createPgCounterStore(db, clock), 'password-reset', MAIL_LIMITS);
  const floorMs = deps.requestFloorMs ?? REQUEST_FLOOR_MS;

  /** Issues a link and mails it when the address has an enabled account and its allowance is not spent. */
  const issue = async (ctx: RequestContext, email: string) => {
    const key = normaliseEmail(email);
    // Counted for every address, known or not, so the limit itself reveals nothing.
    if (!(await mails.allows(key, ctx.ip))) return;
    await db.transaction(async (tx) => {
      // Locked so two concurrent requests revoke and issue in turn (one live link per account).
      const user = await lockUserByEmail(tx, key);
      if (!user || user.disabledAt) return;
      const now = clock();
      await revokeResetLinks(tx, user.id, now);
      const token = newToken();
      const base = deps.publicUrl();
      await insertResetLink(tx, { userId: user.id, tokenHash: hashToken(token), expiresAt: new Date(now.getTime() + RESET_MS) });
      await enqueueNotifications(tx, [
        { recipient: user.email, userId: user.id, template: 'password_reset', data: { fullName: user.fullName, link: accountLink(base, 'reset', token), resetPage: accountPage(base, 'reset') } },
      ]);
      await recordAudit(tx, ctx, { action: 'auth.password_reset_requested', entityType: 'user', entityId: user.id });
    });
  };

  return {
    /**
     * Nothing in the outcome or its timing says whether the address has an account: the caller
     * answers the same, and every call lasts at least the floor (wall time, not the business clock).
     */
    async request(ctx: RequestContext, email: string): Promise<void> {
      const started = performance.now();
      try {
        await issue(ctx, email);
      } finally {
        await padTo(started, floorMs);
      }
    },

    /**
     * Sets a new password and ends every session: refresh tokens are revoked here, and the new
     * password hash moves the account's session version, which voids its access tokens.
     */
    async reset(ctx: RequestContext, input: { token: string; password: string }): Promise<{ email: string }> {
      const tokenHash = hashToken(input.token);
      // Read first (not consumed): the strength check needs the person's email and name as guesses.
      const found = await resetLinkOwner(db, tokenHash, clock());
      if (!found) throw invalidToken();
      const weakness = passwordWeakness(input.password, [found.email, found.fullName]);
      if (weakness) throw problem('weak-password', 'The new password is too easy to guess.', [{ in: 'body', field: 'password', message: weakness }]);
      const passwordHash = await hashPassword(input.password);
      return db.transaction(async (tx) => {
        const now = clock();
        // The account is locked before the link, as disabling does: a reset and a disabling run in
        // turn (never deadlocked), and a link is never used on an account disabled meanwhile.
        const before = await lockEnabledUserPassword(tx, found.userId);
        if (!before) throw invalidToken();
        // One conditional statement consumes the token: of two concurrent resets, one finds nothing.
        const userId = await consumeResetLink(tx, tokenHash, now);
        if (!userId) throw invalidToken();
        const user = await setPassword(tx, userId, passwordHash, now);
        await revokeRefreshTokens(tx, userId, now);
        // A grandfathered member who never claimed has now set a first password: the claim code is spent.
        const claimed = !before.passwordHash;
        if (claimed) await revokeClaimCodes(tx, userId, now);
        const actorCtx = actingAs(ctx, user!);
        await recordAudit(tx, actorCtx, { action: 'auth.password_reset', entityType: 'user', entityId: user!.id, after: { claimedByReset: claimed } });
        return { email: user!.email };
      });
    },

    /** Whether a reset link still works (a page shows its form, or says the link is spent). */
    async isLive(token: string): Promise<boolean> {
      return resetLinkIsLive(db, hashToken(token), clock());
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
