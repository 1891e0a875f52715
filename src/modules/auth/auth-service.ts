import { randomUUID } from 'node:crypto';
import { normaliseEmail } from '../../../schemas/auth.ts';
import type { Db, Queryable } from '../../db/client.ts';
import { problem, tooManyAttempts, unauthorized } from '../../errors.ts';
import { createSignInThrottle } from '../../lib/attempt-limiter.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Body, Role } from '../../domain/vocabulary.ts';
import { actingAs, userActor, type RequestContext, type UserContext } from '../../lib/context.ts';
import type { CounterStore } from '../../lib/counter-store.ts';
import { dummyHash, hashPassword, verifyPassword } from '../../lib/passwords.ts';
import { createPgCounterStore } from '../../lib/pg-counter-store.ts';
import { hashToken, newToken } from '../../lib/tokens.ts';
import type { AccessTokenClaims } from '../../lib/access-token.ts';
import { recordAudit } from '../audit/audit-service.ts';
import type { UserRow } from './accounts-repository.ts';
import {
  bumpSessionVersion,
  insertRefreshToken,
  insertUserUnlessEmailTaken,
  refreshTokenByHash,
  refreshTokenOwner,
  revokeRefreshFamily,
  revokeRefreshTokens,
  shareLockUser,
  shareLockUserId,
  spendRefreshToken,
  userByEmail,
  userById,
  userWithMediatorId,
} from './accounts-repository.ts';
import type { SessionVersions } from './session-versions.ts';
import type { SecondFactorService } from './second-factor-service.ts';

export interface AuthDeps {
  db: Db;
  clock: Clock;
  signAccessToken: (claims: AccessTokenClaims) => string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** Failed sign-ins allowed per 15 minutes: per account and network, and per account from networks it has not signed in from lately. */
  failedLogins?: { perAddress: number; perAccount: number };
  /** Where failed logins are counted, shared by every instance; default this database. */
  counters?: CounterStore;
  /** This instance's session cache, told when an account's sessions end here. */
  sessions?: Pick<SessionVersions, 'forget'>;
  /** Checks the code of accounts with a second factor; without it such accounts cannot sign in. */
  secondFactor?: Pick<SecondFactorService, 'requireAtSignIn'>;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

const INVALID_LOGIN = 'The email or password is not correct.';
const INVALID_REFRESH = 'The refresh token is not valid; sign in again.';
const ACCOUNT_DISABLED = 'This account is disabled; ask a registrar of the register.';

/** What an audit event may show of an account (never the password hash). */
const publicUser = (u: UserRow) => ({ id: u.id, email: u.email, fullName: u.fullName, role: u.role, body: u.body });

export function createAuthService(deps: AuthDeps) {
  const { db, clock } = deps;
  const failedLogins = createSignInThrottle(deps.counters ?? createPgCounterStore(db, clock), {
    perAddress: deps.failedLogins?.perAddress ?? 10,
    perAccount: deps.failedLogins?.perAccount ?? 50,
    windowMs: 15 * 60_000,
    knownForMs: 30 * 86_400_000,
  });

  /**
   * Signs for the account as it is now, its row share-locked until commit: a change that ends
   * sessions (role, disabling, password, sign-out everywhere) either commits first and is seen here,
   * or waits and then revokes the refresh token issued here.
   */
  async function issueTokens(tx: Queryable, { id }: UserRow, familyId: string): Promise<TokenPair> {
    const user = await shareLockUser(tx, id);
    if (!user || user.disabledAt) throw problem('account-disabled', ACCOUNT_DISABLED);
    const refreshToken = newToken();
    await insertRefreshToken(tx, {
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(clock().getTime() + deps.refreshTokenTtlDays * 86_400_000),
    });
    return {
      accessToken: deps.signAccessToken({ sub: user.id, role: user.role, body: user.body, ver: user.sessionVersion, mfa: user.totpEnabledAt !== null }),
      refreshToken,
      expiresIn: deps.accessTokenTtlSeconds,
      tokenType: 'Bearer',
    };
  }

  return {
    /** Same answer, and about the same time, for an unknown email and a wrong password. */
    async login(ctx: RequestContext, email: string, password: string, otp?: string): Promise<TokenPair> {
      const key = normaliseEmail(email);
      // Without an address (a caller outside HTTP) every attempt counts as one unknown network.
      const address = ctx.ip ?? 'unknown';
      // Every attempt takes a place first; a success gives back its network's places.
      const wait = await failedLogins.take(key, address);
      if (wait > 0) throw tooManyAttempts(wait);
      const user = await userByEmail(db, key);
      if (!user?.passwordHash) {
        await verifyPassword(await dummyHash(), password);
        throw problem('invalid-credentials', INVALID_LOGIN);
      }
      const ok = await verifyPassword(user.passwordHash, password);
      const actorCtx = actingAs(ctx, user);
      if (!ok) {
        await db.transaction((tx) => recordAudit(tx, actorCtx, { action: 'auth.login_failed', entityType: 'user', entityId: user.id }));
        throw problem('invalid-credentials', INVALID_LOGIN);
      }
      // Before the second factor: a disabled account must not spend a recovery code.
      if (user.disabledAt) throw problem('account-disabled', ACCOUNT_DISABLED);
      // A missing or wrong code throws before the clear below, so it counts as a failed attempt.
      if (user.totpEnabledAt) {
        if (!deps.secondFactor) throw problem('invalid-credentials', INVALID_LOGIN);
        await deps.secondFactor.requireAtSignIn(actorCtx, user, otp);
      }
      await failedLogins.succeeded(key, address);
      return db.transaction(async (tx) => {
        const pair = await issueTokens(tx, user, randomUUID());
        await recordAudit(tx, actorCtx, { action: 'auth.login', entityType: 'user', entityId: user.id });
        return pair;
      });
    },

    /** Rotates a refresh token. Presenting a spent or revoked one revokes its whole family. */
    async refresh(refreshToken: string): Promise<TokenPair> {
      const tokenHash = hashToken(refreshToken);
      const now = clock();
      const outcome = await db.transaction(async (tx) => {
        // The account is locked before its token, in the order every change that ends sessions takes them.
        const ownerId = await refreshTokenOwner(tx, tokenHash);
        if (!ownerId) return { pair: null };
        await shareLockUserId(tx, ownerId);
        const spent = await spendRefreshToken(tx, tokenHash, now);
        if (spent) {
          const user = await userById(tx, spent.userId);
          return { pair: await issueTokens(tx, user!, spent.familyId) };
        }
        const known = await refreshTokenByHash(tx, tokenHash);
        if (known && (known.usedAt || known.revokedAt)) {
          await revokeRefreshFamily(tx, known.familyId, now);
          const user = await userById(tx, known.userId);
          await recordAudit(
            tx,
            { actor: userActor(user!), requestId: null },
            { action: 'auth.refresh_reuse_detected', entityType: 'user', entityId: known.userId, after: { familyId: known.familyId } },
          );
        }
        return { pair: null };
      });
      if (!outcome.pair) throw problem('invalid-refresh-token', INVALID_REFRESH);
      return outcome.pair;
    },

    async logout(ctx: UserContext, refreshToken: string): Promise<void> {
      const token = await refreshTokenByHash(db, hashToken(refreshToken));
      // Another user's token, or an unknown one, is ignored: logout never reveals which tokens exist.
      if (!token || token.userId !== ctx.actor.id) return;
      await db.transaction(async (tx) => {
        await revokeRefreshFamily(tx, token.familyId, clock());
        await recordAudit(tx, ctx, { action: 'auth.logout', entityType: 'user', entityId: token.userId });
      });
    },

    /** Sign out everywhere: a new session version voids every access token of the account, and its refresh tokens are revoked. */
    async logoutAll(ctx: UserContext): Promise<void> {
      const userId = ctx.actor.id;
      await db.transaction(async (tx) => {
        await bumpSessionVersion(tx, userId, clock());
        await revokeRefreshTokens(tx, userId, clock());
        await recordAudit(tx, ctx, { action: 'auth.logout_all', entityType: 'user', entityId: userId });
      });
      deps.sessions?.forget(userId);
    },

    async me(userId: string) {
      const row = await userWithMediatorId(db, userId);
      if (!row) throw unauthorized();
      return { ...publicUser(row.user), mediatorId: row.mediatorId };
    },

    createStaffAccount: (ctx: RequestContext, input: StaffAccountInput) => createStaffAccount(db, ctx, input),
  };
}

type StaffAccountInput = { email: string; password: string; role: Exclude<Role, 'mediator'>; body: Body | null; fullName: string };

/** Staff accounts (assessor, admin of a body, registrar), made by an operator from the CLI, or the first registrar from the setup page. */
export async function createStaffAccount(db: Db, ctx: RequestContext, input: StaffAccountInput) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const user = await insertUserUnlessEmailTaken(tx, { email: input.email, passwordHash, fullName: input.fullName, role: input.role, body: input.body });
    if (!user) throw problem('account-exists', `An account with the email ${input.email} already exists.`);
    await recordAudit(tx, ctx, { action: 'user.created', entityType: 'user', entityId: user.id, after: publicUser(user) });
    return publicUser(user);
  });
}
