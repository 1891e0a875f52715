import { Secret, TOTP } from 'otpauth';
import type { Db } from '../../db/client.ts';
import { notFound, problem, serviceUnavailable, tooManyAttempts } from '../../errors.ts';
import { createAttemptLimiter } from '../../lib/attempt-limiter.ts';
import type { Clock } from '../../lib/clock.ts';
import type { RequestContext, UserContext } from '../../lib/context.ts';
import type { CounterStore } from '../../lib/counter-store.ts';
import { verifyPassword } from '../../lib/passwords.ts';
import { secretBox } from '../../lib/secret-box.ts';
import { hashToken } from '../../lib/tokens.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { lockUser, type UserRow } from './accounts-repository.ts';
import { revokeRefreshTokens, userById } from './accounts-repository.ts';
import { cancelTotpEnrolment, clearSecondFactor, enableTotp, markRecoveryCodeUsed, recoveryCodesLeft, replaceRecoveryCodes, startTotpEnrolment } from './second-factor-repository.ts';

/** What every authenticator app assumes when a URI names nothing else. */
export const TOTP_SETTINGS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const ISSUER = 'SEND Mediator Register';
const RECOVERY_CODE_COUNT = 10;
/** A code is good for its own step and one either side (clock drift): remembered that long, and a step more. */
const USED_STEP_MEMORY_MS = 4 * TOTP_SETTINGS.period * 1000;
/** Wrong passwords per account when starting enrolment, per window: guessing stays an online attack. */
const START_TRIES = { max: 5, windowMs: 15 * 60_000 };
/** Codes tried per enrolment: the fifth wrong one cancels it (the counter outlives any sensible wait). */
const CONFIRM_TRIES = 5;
const CONFIRM_WINDOW_MS = 86_400_000;

/** 401 naming `otp`, so a client knows to ask for the second factor rather than the password. */
const secondFactorNeeded = (detail: string) => problem('second-factor-needed', detail, [{ in: 'body', field: 'otp', message: detail }]);

/** 80 random bits, as 16 base32 characters in groups of four: typeable, and beyond guessing even from a leaked hash. */
const newRecoveryCode = () => new Secret({ size: 10 }).base32.toLowerCase().match(/.{4}/g)!.join('-');
/** Any case, with or without the hyphens or spaces. */
const recoveryCodeHash = (code: string) => hashToken(code.toLowerCase().replace(/[\s-]/g, ''));

const wrongPassword = () =>
  problem('password-incorrect', 'The password is not correct: setting up a second factor needs the account’s current password.', [
    { in: 'body', field: 'password', message: 'is not the current password' },
  ]);

export interface SecondFactorDeps {
  db: Db;
  clock: Clock;
  /** Remembers accepted codes so a code is used once, on every instance. */
  counters: CounterStore;
  /** Key material held outside the database (TOTP_ENCRYPTION_KEY, else the JWT secret). */
  keyMaterial: string;
}

/** TOTP second factor with recovery codes, for staff accounts. */
export function createSecondFactorService({ db, clock, counters, keyMaterial }: SecondFactorDeps) {
  const box = secretBox(keyMaterial, 'send-register totp secret v1');
  // Its own count, not the sign-in throttle's: that one is keyed by email and network inside the
  // auth service, and a caller here already holds a token; this one is per account, from anywhere.
  const startTries = createAttemptLimiter(counters, { name: 'second-factor-start', ...START_TRIES });
  const totpOf = (user: UserRow, base32: string) => new TOTP({ issuer: ISSUER, label: user.email, secret: Secret.fromBase32(base32), ...TOTP_SETTINGS });

  const hitCount = async (key: string, windowMs: number) => {
    const hit = await counters.hit(key, windowMs).catch((err) => {
      throw Object.assign(serviceUnavailable('Checking the code is briefly unavailable; try again shortly.'), { cause: err });
    });
    return hit.count;
  };

  /**
   * Whether `code` is the user's current code (one step of drift either way, on the injected clock)
   * and has not been accepted before: the first to claim its time step wins, so a code seen over a
   * shoulder or replayed from a log cannot be used again, even at the same moment on another instance.
   */
  async function acceptCode(user: UserRow, code: string): Promise<boolean> {
    if (!user.totpSecret) return false;
    const now = clock().getTime();
    const totp = totpOf(user, box.open(user.totpSecret, user.id));
    const delta = totp.validate({ token: code, timestamp: now, window: 1 });
    if (delta === null) return false;
    const step = totp.counter({ timestamp: now }) + delta;
    return (await hitCount(`totp-used:${user.id}:${step}`, USED_STEP_MEMORY_MS)) === 1;
  }

  /** Drops an unconfirmed secret (only the one given: a restart meanwhile stands), audited. */
  async function cancelEnrolment(ctx: RequestContext, user: UserRow): Promise<void> {
    await db.transaction(async (tx) => {
      if (await cancelTotpEnrolment(tx, user.id, user.totpSecret!))
        await recordAudit(tx, ctx, { action: 'auth.totp_enrolment_cancelled', entityType: 'user', entityId: user.id, after: { reason: 'wrong_codes' } });
    });
  }

  /** Spends one recovery code in a single conditional update, so two concurrent uses cannot both succeed. */
  async function spendRecoveryCode(ctx: RequestContext, user: UserRow, code: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      if (!(await markRecoveryCodeUsed(tx, user.id, recoveryCodeHash(code), clock()))) return false;
      const left = await recoveryCodesLeft(tx, user.id);
      await recordAudit(tx, ctx, { action: 'auth.recovery_code_used', entityType: 'user', entityId: user.id, after: { recoveryCodesLeft: left } });
      return true;
    });
  }

  async function ownAccount(ctx: UserContext): Promise<UserRow> {
    const user = await userById(db, ctx.actor.id);
    if (!user) throw notFound('The account');
    return user;
  }

  return {
    async status(ctx: UserContext, required: boolean) {
      const user = await ownAccount(ctx);
      const left = await recoveryCodesLeft(db, user.id);
      return { enabled: user.totpEnabledAt !== null, enabledAt: user.totpEnabledAt?.toISOString() ?? null, recoveryCodesLeft: user.totpEnabledAt ? left : 0, required };
    },

    /**
     * A new secret, stored sealed and not yet in force; starting again replaces an unconfirmed one.
     * Needs the current password: a stolen access token alone must not let its holder put their own
     * authenticator on the account, which would end the owner's sessions and lock them out.
     */
    async startEnrolment(ctx: UserContext, password: string) {
      const user = await ownAccount(ctx);
      // Counted before the check, so concurrent guesses cannot all pass; the right password forgets them.
      const wait = await startTries.take(user.id);
      if (wait > 0) throw tooManyAttempts(wait);
      if (!user.passwordHash || !(await verifyPassword(user.passwordHash, password))) throw wrongPassword();
      await startTries.clear(user.id);
      const secret = new Secret({ size: 20 });
      if (!(await startTotpEnrolment(db, user.id, box.seal(secret.base32, user.id))))
        throw problem('second-factor-exists', 'A second factor is already set up; a registrar can reset it if the device is lost.');
      return { secret: secret.base32, uri: totpOf(user, secret.base32).toString(), ...TOTP_SETTINGS };
    },

    /**
     * Puts the second factor in force with the first code the app shows, and returns the recovery
     * codes (only their hashes are kept). Every session of the account ends: the next sign-in uses a code.
     */
    async confirmEnrolment(ctx: UserContext, code: string) {
      const user = await ownAccount(ctx);
      if (user.totpEnabledAt) throw problem('second-factor-exists', 'A second factor is already set up.');
      if (!user.totpSecret) throw problem('second-factor-not-started', 'Start enrolment first (POST /v1/me/second-factor).');
      // Per enrolment: each start seals a new secret, so its count starts again. Counted before the
      // check, so concurrent guesses cannot all be checked.
      const tries = await hitCount(`totp-enrol:${hashToken(user.totpSecret)}`, CONFIRM_WINDOW_MS);
      const wrong = tries > CONFIRM_TRIES || !(await acceptCode(user, code));
      if (wrong && tries >= CONFIRM_TRIES) {
        await cancelEnrolment(ctx, user);
        throw problem('second-factor-setup-cancelled', `${CONFIRM_TRIES} wrong codes: this set-up is cancelled. Start again (POST /v1/me/second-factor) and add the new secret to the app.`);
      }
      if (wrong) {
        throw problem('second-factor-code-wrong', 'The code does not match; enter the code the authenticator app shows now.', [
          { in: 'body', field: 'code', message: `is not the current code; ${CONFIRM_TRIES - tries} of ${CONFIRM_TRIES} tries left for this set-up` },
        ]);
      }
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      return db.transaction(async (tx) => {
        const now = clock();
        // Only the secret the code was checked against: a concurrent restart of enrolment wins.
        if (!(await enableTotp(tx, user.id, user.totpSecret!, now))) throw problem('concurrent-change', 'Enrolment changed meanwhile; start again.');
        await replaceRecoveryCodes(tx, user.id, codes.map(recoveryCodeHash));
        await revokeRefreshTokens(tx, user.id, now);
        await recordAudit(tx, ctx, { action: 'auth.totp_enrolled', entityType: 'user', entityId: user.id, after: { recoveryCodes: RECOVERY_CODE_COUNT } });
        return { recoveryCodes: codes };
      });
    },

    /**
     * The sign-in step for an account with a second factor: a current code, or one unused recovery
     * code. Missing or wrong answers 401 naming `otp`; a wrong one is audited as a failed sign-in
     * (the caller's attempt count already includes it).
     */
    async requireAtSignIn(ctx: RequestContext, user: UserRow, otp: string | undefined): Promise<void> {
      if (!otp) throw secondFactorNeeded('This account has a second factor: send the code from the authenticator app (or a recovery code) as otp.');
      const code = otp.replace(/\s/g, '');
      const ok = /^\d{6}$/.test(code) ? await acceptCode(user, code) : await spendRecoveryCode(ctx, user, code);
      if (ok) return;
      await db.transaction((tx) => recordAudit(tx, ctx, { action: 'auth.login_failed', entityType: 'user', entityId: user.id, after: { reason: 'second_factor' } }));
      throw secondFactorNeeded('The code is not correct or was already used; send the current code from the authenticator app, or an unused recovery code, as otp.');
    },

    /** For a staff member who lost their device: another registrar resets it. */
    async reset(ctx: RequestContext, userId: string) {
      if (userId === ctx.actor.id) throw problem('own-record', 'You cannot reset your own second factor; ask another registrar.');
      await resetSecondFactor(db, clock, ctx, userId);
    },
  };
}

export type SecondFactorService = ReturnType<typeof createSecondFactorService>;

/**
 * Off, secret and recovery codes gone, sessions ended, audited. Needs no key: the CLI runs it for
 * the last registrar, whom nobody else can reset.
 */
export async function resetSecondFactor(db: Db, clock: Clock, ctx: RequestContext, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await lockUser(tx, userId);
    if (!before) throw notFound('The user');
    if (!before.totpSecret && !before.totpEnabledAt) throw notFound('A second factor for this account');
    const now = clock();
    await clearSecondFactor(tx, userId, now);
    await revokeRefreshTokens(tx, userId, now);
    await recordAudit(tx, ctx, {
      action: 'auth.totp_reset',
      entityType: 'user',
      entityId: userId,
      before: { enabledAt: before.totpEnabledAt?.toISOString() ?? null },
    });
  });
}
