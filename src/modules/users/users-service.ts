import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { notFound, problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Body, Role } from '../../domain/vocabulary.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { revokeRefreshTokens } from '../auth/accounts-repository.ts';
import { revokeResetLinks } from '../auth/links-repository.ts';
import type { SessionVersions } from '../auth/session-versions.ts';
import { lockUser, type UserRow } from '../auth/accounts-repository.ts';
import { listUsers, updateUser } from './users-repository.ts';

const toUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  fullName: u.fullName,
  role: u.role,
  body: u.body,
  claimed: u.passwordHash !== null,
  disabledAt: u.disabledAt?.toISOString() ?? null,
  createdAt: u.createdAt.toISOString(),
});

/** Accounts in email order: a page ends at its last address (at most 254 characters, as every account's is). */
const userCursor = keysetCursor(z.tuple([cursorKey.text.max(254)]));

/** Accounts and roles, for the registrar. `sessions`: this instance's session cache, told when an account's sessions end here. */
export function createUsersService({ db, clock, sessions }: { db: Db; clock: Clock; sessions?: Pick<SessionVersions, 'forget'> }) {
  return {
    async list(query: { q?: string; role?: Role; limit: number; cursor?: string }) {
      const after = userCursor.decode(query.cursor);
      const page = await keysetPage(
        query.limit,
        (count) => listUsers(db, { q: query.q, role: query.role, after: after?.[0] }, count),
        (last) => userCursor.encode([last.email]),
      );
      return { items: page.items.map(toUser), nextCursor: page.nextCursor };
    },

    /** A role change ends the user's sessions: their next sign-in carries the new role. */
    async changeRole(ctx: RequestContext, userId: string, change: { role: Role; body?: Body | null; reason: string }) {
      if (userId === ctx.actor.id) throw problem('own-account-change', 'You cannot change your own role; ask another registrar.');
      const changed = await db.transaction(async (tx) => {
        const before = await lockUser(tx, userId);
        if (!before) throw notFound('The user');
        // Only an admin belongs to a body (a mediator's body is on their register entry).
        const body = change.role === 'admin' ? (change.body ?? null) : null;
        const after = await updateUser(tx, userId, { role: change.role, body, updatedAt: clock() });
        await revokeRefreshTokens(tx, userId, clock());
        await recordAudit(tx, ctx, {
          action: 'user.role_changed',
          entityType: 'user',
          entityId: userId,
          before: { role: before.role, body: before.body },
          after: { role: after.role, body: after.body, reason: change.reason },
        });
        return toUser(after);
      });
      sessions?.forget(userId);
      return changed;
    },

    /**
     * A disabled account cannot sign in or refresh, its access tokens stop working (disabling
     * moves its session version), and password reset links mailed before stop working too. Setting the state it already has changes nothing.
     */
    async setDisabled(ctx: RequestContext, userId: string, change: { disabled: boolean; reason: string }) {
      if (userId === ctx.actor.id) throw problem('own-account-change', 'You cannot disable or enable your own account; ask another registrar.');
      const changed = await db.transaction(async (tx) => {
        const before = await lockUser(tx, userId);
        if (!before) throw notFound('The user');
        if ((before.disabledAt !== null) === change.disabled) return toUser(before);
        const now = clock();
        const after = await updateUser(tx, userId, { disabledAt: change.disabled ? now : null, updatedAt: now });
        if (change.disabled) {
          await revokeRefreshTokens(tx, userId, now);
          await revokeResetLinks(tx, userId, now);
        }
        await recordAudit(tx, ctx, {
          action: change.disabled ? 'user.disabled' : 'user.enabled',
          entityType: 'user',
          entityId: userId,
          before: { disabledAt: before.disabledAt },
          after: { disabledAt: after.disabledAt, reason: change.reason },
        });
        return toUser(after);
      });
      sessions?.forget(userId);
      return changed;
    },
  };
}
