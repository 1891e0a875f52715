import { normaliseEmail } from '../../../schemas/auth.ts';
import type { Db } from '../../db/client.ts';
import { problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { actingAs, type RequestContext } from '../../lib/context.ts';
import type { CounterStore } from '../../lib/counter-store.ts';
import { createMailLimiter } from '../../lib/mail-limiter.ts';
import { hashPassword, verifyPassword } from '../../lib/passwords.ts';
import { createPgCounterStore } from '../../lib/pg-counter-store.ts';
import { accountLink, accountPage } from '../../lib/public-url.ts';
import { hashToken, newToken } from '../../lib/tokens.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { enqueueNotifications } from '../notifications/outbox.ts';
import { accountNameByEmail, insertMediatorOf, insertUserUnlessEmailTaken } from './accounts-repository.ts';
import { consumeRegistration, deleteOtherRegistrations, insertPendingRegistration, pendingRegistration, registrationIsLive, sweepExpiredRegistrations } from './links-repository.ts';

export interface RegistrationDeps {
  db: Db;
  clock: Clock;
  /** Base of the links in emails (PUBLIC_URL or its fallback), read when a mail is written. */
  publicUrl: () => string;
  /** How long a verification link works; default 48 hours. */
  ttlHours?: number;
  /** Where mails per address are counted, shared by every instance; default this database. */
  counters?: CounterStore;
}

// One answer for used, expired and unknown links: the reply must not say which links exist.
const INVALID_LINK = 'This verification link is not valid: it may have been used already or have expired. Register again to get a new one.';
const WRONG_PASSWORD = 'This is not the password chosen when registering with this link. If you did not register, ignore the email; to register yourself, register again.';
const ACCOUNT_EXISTS = 'An account with this email already exists; sign in or reset your password.';

/**
 * Mails (verification links or "you already have an account") one address may receive an hour: 3
 * asked for from one network, 10 from all together (see mail-limiter.ts for the worst case).
 */
const MAIL_LIMITS = { perNetwork: 3, perAddress: 10, windowMs: 3_600_000 };

/**
 * Registration proves ownership of the email before any account exists: a registration is only a
 * pending row and a mailed link. Nobody can hold an address they cannot read, so an unproven one
 * never blocks its owner or the import of a grandfathered member.
 */
export function createRegistrationService(deps: RegistrationDeps) {
  const { db, clock } = deps;
  const ttlMs = (deps.ttlHours ?? 48) * 3_600_000;
  const mails = createMailLimiter(deps.counters ?? createPgCounterStore(db, clock), 'registration-mail', MAIL_LIMITS);

  return {
    /**
     * The same outcome whoever registers: a new address gets a verification link, an address with an
     * account gets a note to sign in or reset instead. Nothing tells the caller which happened.
     */
    async register(ctx: RequestContext, input: { email: string; password: string; fullName: string }): Promise<void> {
      const email = normaliseEmail(input.email);
      // Hashed on both paths, so the answer takes about as long whether or not the address has an account.
      const passwordHash = await hashPassword(input.password);
      // Over the limit nothing is sent, silently: a register form must not become a way to flood a mailbox.
      if (!(await mails.allows(email, ctx.ip))) return;
      const now = clock();
      await db.transaction(async (tx) => {
        // Expired registrations are swept here (and on verify) rather than by a scheduled job.
        await sweepExpiredRegistrations(tx, now);
        const account = await accountNameByEmail(tx, email);
        if (account) {
          await enqueueNotifications(tx, [
            { recipient: email, userId: account.id, template: 'registration_account_exists', data: { fullName: account.fullName, resetPage: accountPage(deps.publicUrl(), 'reset') } },
          ]);
          return;
        }
        const token = newToken();
        const expiresAt = new Date(now.getTime() + ttlMs);
        await insertPendingRegistration(tx, { email, fullName: input.fullName, passwordHash, tokenHash: hashToken(token), expiresAt });
        await enqueueNotifications(tx, [
          { recipient: email, template: 'verify_email', data: { fullName: input.fullName, link: accountLink(deps.publicUrl(), 'verify', token), hours: ttlMs / 3_600_000 } },
        ]);
      });
    },

    /**
     * Creates the account of a pending registration. The password given at registration is asked
     * again: whoever registered someone else's address first cannot have that owner, following the
     * link, confirm an account whose password the registrant chose.
     */
    async verify(ctx: RequestContext, input: { token: string; password: string }): Promise<{ email: string }> {
      const tokenHash = hashToken(input.token);
      const pending = await pendingRegistration(db, tokenHash, clock());
      if (!pending) throw problem('invalid-verification-link', INVALID_LINK, [{ in: 'body', field: 'token', message: 'not a valid verification link' }]);
      if (!(await verifyPassword(pending.passwordHash, input.password))) {
        throw problem('registration-password-mismatch', WRONG_PASSWORD, [{ in: 'body', field: 'password', message: 'not the password chosen at registration' }]);
      }
      return db.transaction(async (tx) => {
        const now = clock();
        await sweepExpiredRegistrations(tx, now);
        // Consumed by one conditional statement: of two concurrent verifies, one finds nothing.
        const used = await consumeRegistration(tx, tokenHash, clock());
        if (!used) throw problem('invalid-verification-link', INVALID_LINK, [{ in: 'body', field: 'token', message: 'not a valid verification link' }]);
        const user = await insertUserUnlessEmailTaken(tx, { email: used.email, passwordHash: used.passwordHash, fullName: used.fullName, role: 'mediator' });
        // Imported or verified through another link meanwhile; the rollback keeps this link answering the same.
        if (!user) throw problem('account-exists', ACCOUNT_EXISTS);
        // The address is proven now: every other registration of it (someone else's attempt included) goes.
        await deleteOtherRegistrations(tx, used.email, used.id);
        await insertMediatorOf(tx, user);
        await enqueueNotifications(tx, [{ recipient: user.email, userId: user.id, template: 'welcome', data: { fullName: user.fullName } }]);
        const actorCtx = actingAs(ctx, user);
        await recordAudit(tx, actorCtx, {
          action: 'user.registered',
          entityType: 'user',
          entityId: user.id,
          after: { id: user.id, email: user.email, fullName: user.fullName, role: user.role, body: user.body, emailVerified: true, registeredAt: used.createdAt.toISOString() },
        });
        return { email: user.email };
      });
    },

    /** Whether a verification link still works (a page shows its form, or says the link is spent). */
    async isLive(token: string): Promise<boolean> {
      return registrationIsLive(db, hashToken(token), clock());
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
