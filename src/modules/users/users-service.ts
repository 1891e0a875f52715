import { addYears } from 'date-fns';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import { notFound, problem } from '../../errors.ts';
import type { Clock } from '../../lib/clock.ts';
import { canApply } from '../../domain/application-lifecycle.ts';
import type { Body, EntryStatus, Role } from '../../domain/vocabulary.ts';
import type { RequestContext } from '../../lib/context.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { revokeRefreshTokens } from '../auth/accounts-repository.ts';
import { revokeResetLinks } from '../auth/links-repository.ts';
import type { SessionVersions } from '../auth/session-versions.ts';
import { lockUser, type UserRow } from '../auth/accounts-repository.ts';
import { mediatorOfUser } from '../mediators/mediators-repository.ts';
import { deleteAccountRecords, eraseAccount, eraseAuditValuesAbout, eraseMediatorRecords, erasedEmail, lockApplicationStatuses } from './erasure-repository.ts';
import { listUsers, updateUser } from './users-repository.ts';
import { recountNameWords } from '../register/name-words-repository.ts';

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

/**
 * Whether the register no longer needs the person's entry: they were never on it, or it was removed
 * or lapsed at least `years` ago (a suspended entry may come back; an accredited one is current).
 */
function retentionEnded(entry: { status: EntryStatus | null; statusChangedAt: Date | null }, years: number, now: Date): boolean {
  if (entry.status === null) return true;
  if (entry.status !== 'removed' && entry.status !== 'lapsed') return false;
  return entry.statusChangedAt !== null && addYears(entry.statusChangedAt, years) <= now;
}

/**
 * Accounts and roles, for the registrar. `sessions`: this instance's session cache, told when an
 * account's sessions end here; `retentionYears`: how long a removed or lapsed entry is kept before
 * its person may be erased.
 */
export function createUsersService({ db, clock, sessions, retentionYears }: { db: Db; clock: Clock; sessions?: Pick<SessionVersions, 'forget'>; retentionYears: number }) {
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

    /**
     * Erases a person in one transaction (docs/api.md "Erasure"): their account's personal data and
     * everything it signs in with, their mediator record's personal fields, and the personal values
     * of every audit event about them; ids, roles, dates, statuses, the events and the log stay. An
     * account already erased answers as it stands and nothing is written.
     */
    async erase(ctx: RequestContext, userId: string, { reason }: { reason: string }) {
      if (userId === ctx.actor.id) throw problem('own-account-change', 'You cannot erase your own account; ask another registrar.');
      const erased = await db.transaction(async (tx) => {
        const before = await lockUser(tx, userId);
        if (!before) throw notFound('The user');
        if (before.email === erasedEmail(userId)) return { answer: { user: toUser(before), auditValuesErased: 0 }, entryErased: false };
        const now = clock();
        const mediator = await mediatorOfUser(tx, userId, true);
        if (mediator) {
          if (!retentionEnded(mediator, retentionYears, now)) {
            throw problem('erasure-not-allowed', `The register keeps this ${mediator.status} entry for ${retentionYears} years after it is removed or lapses; the person cannot be erased yet.`);
          }
          const statuses = await lockApplicationStatuses(tx, mediator.id);
          if (statuses.some((s) => canApply('assess', s) || canApply('decide', s))) {
            throw problem('erasure-not-allowed', 'An application of this person awaits a decision: decide it first.');
          }
        }
        await deleteAccountRecords(tx, userId, before.email);
        const after = await eraseAccount(tx, userId, now);
        if (mediator) await eraseMediatorRecords(tx, mediator.id, now);
        const auditValuesErased = await eraseAuditValuesAbout(tx, userId);
        await recordAudit(tx, ctx, {
          action: 'user.erased',
          entityType: 'user',
          entityId: userId,
          before: { disabledAt: before.disabledAt },
          after: { disabledAt: after.disabledAt, mediatorId: mediator?.id ?? null, auditValuesErased, reason },
        });
        return { answer: { user: toUser(after), auditValuesErased }, entryErased: mediator !== undefined && mediator !== null };
      });
      sessions?.forget(userId);
      // The erased name's words leave the search's word table too (or at the next daily run if busy).
      if (erased.entryErased) await recountNameWords(db);
      return erased.answer;
    },
  };
}
