import type { Db, Tx } from '../../db/client.ts';
import { grandfatheredObligationsStart } from '../../domain/grandfathering.ts';
import { notFound, problem } from '../../errors.ts';
import { londonDate, type Clock } from '../../lib/clock.ts';
import type { Body } from '../../domain/vocabulary.ts';
import type { RequestContext } from '../../lib/context.ts';
import { accountLink } from '../../lib/public-url.ts';
import { hashToken, newToken } from '../../lib/tokens.ts';
import { GrandfatheredRowSchema, type GrandfatheredRow } from '../../../schemas/imports.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { enqueueNotifications, type OutgoingMessage } from '../notifications/outbox.ts';
import { accredit } from '../register-entries/register-entries-service.ts';
import type { Accreditation } from '../register-entries/register-entries-repository.ts';
import { currentSettings } from '../settings/settings-repository.ts';
import type { RawRow } from './import-file.ts';
import { chunks } from '../../db/batches.ts';
import { BATCH, insertAccounts, insertClaimTokens, insertProfiles, lockEntryAccount, lockImports, membershipHolders, revokeClaimTokens, takenEmails } from './imports-repository.ts';

const CLAIM_DAYS = 30;
const GRANDFATHERED = 'Grandfathered from the 2018 register';

const profileOf = (userId: string, row: GrandfatheredRow, body: Body) => ({
  userId,
  fullName: row.fullName,
  body,
  membershipNumber: row.membershipNumber,
  organisation: row.organisation ?? null,
  regions: row.regions,
  languages: row.languages,
  contactEmail: row.contactEmail ?? null,
  contactPhone: row.contactPhone ?? null,
  website: row.website ?? null,
  showEmail: row.showEmail ?? false,
  showPhone: row.showPhone ?? false,
  showWebsite: row.showWebsite ?? false,
});

export interface RowError {
  line: number;
  field: string;
  message: string;
}

/** Where a long import has got to, for a caller that shows progress (the CLI). */
export type ImportProgress = { phase: 'validated'; rows: number; valid: number } | { phase: 'written'; done: number; total: number };

/** Grandfathered members: bulk import (all or nothing, repeatable) and account claims. */
export function createImportsService({ db, clock, publicUrl }: { db: Db; clock: Clock; publicUrl: () => string }) {
  // The code travels only inside `link`, the field the outbox scrubs once the mail is sent.
  function claimMessage(user: { id: string; email: string; fullName: string }, link: string, expiresAt: Date): OutgoingMessage {
    return { recipient: user.email, userId: user.id, template: 'claim_account', data: { fullName: user.fullName, link, expiresOn: londonDate(expiresAt) } };
  }

  /** Claim tokens for many accounts at once: random, stored hashed, valid 30 days. */
  async function issueClaims(tx: Tx, accounts: Array<{ id: string; email: string; fullName: string }>) {
    const expiresAt = new Date(clock().getTime() + CLAIM_DAYS * 86_400_000);
    const tokens = accounts.map((a) => ({ account: a, token: newToken() }));
    await insertClaimTokens(
      tx,
      tokens.map(({ account, token }) => ({ userId: account.id, tokenHash: hashToken(token) })),
      expiresAt,
    );
    const base = publicUrl();
    await enqueueNotifications(
      tx,
      tokens.map(({ account, token }) => claimMessage(account, accountLink(base, 'claim', token), expiresAt)),
    );
  }

  return {
    bodyFor(ctx: RequestContext, requested: Body | undefined): Body {
      if (ctx.actor.role === 'admin') {
        if (requested && requested !== ctx.actor.body) throw problem('other-body', 'Admins import only into their own body.');
        return ctx.actor.body;
      }
      if (!requested) throw problem('validation-failed', 'Name the body to import into.', [{ in: 'query', field: 'body', message: 'required: com or cmc' }]);
      return requested;
    },

    /**
     * Validates every row, then (unless a dry run or any row is wrong) creates every new member in
     * one transaction. Rows already on the register as the same person are "unchanged".
     */
    async importGrandfathered(ctx: RequestContext, body: Body, raw: RawRow[], dryRun: boolean, onProgress?: (p: ImportProgress) => void) {
      const errors: RowError[] = [];
      const valid: Array<{ line: number; row: GrandfatheredRow }> = [];
      for (const { line, values, problem } of raw) {
        if (problem) {
          errors.push({ line, field: '(row)', message: problem });
          continue;
        }
        const parsed = GrandfatheredRowSchema.safeParse(values);
        if (!parsed.success) {
          for (const i of parsed.error.issues) errors.push({ line, field: i.path.join('.') || String((i as { keys?: string[] }).keys?.join(', ') ?? '(row)'), message: i.message });
        } else if (parsed.data.body && parsed.data.body !== body) {
          errors.push({ line, field: 'body', message: `this import is for ${body}` });
        } else valid.push({ line, row: parsed.data });
      }
      const seenMembership = new Map<string, number>();
      const seenEmail = new Map<string, number>();
      const unique = valid.filter(({ line, row }) => {
        const m = seenMembership.get(row.membershipNumber);
        const e = seenEmail.get(row.email);
        if (m) errors.push({ line, field: 'membershipNumber', message: `duplicate of line ${m} in this file` });
        if (e) errors.push({ line, field: 'email', message: `duplicate of line ${e} in this file` });
        seenMembership.set(row.membershipNumber, m ?? line);
        seenEmail.set(row.email, e ?? line);
        return !m && !e;
      });
      onProgress?.({ phase: 'validated', rows: raw.length, valid: unique.length });

      const outcome = await db.transaction(async (tx) => {
        await lockImports(tx, body);
        const held = await membershipHolders(
          tx,
          body,
          unique.map((u) => u.row.membershipNumber),
        );
        const taken = await takenEmails(
          tx,
          unique.map((u) => u.row.email),
        );
        const create: typeof unique = [];
        let unchanged = 0;
        for (const u of unique) {
          const holder = held.get(u.row.membershipNumber);
          if (holder !== undefined) {
            if (holder.toLowerCase() === u.row.email) unchanged++;
            else errors.push({ line: u.line, field: 'membershipNumber', message: `already held by another member of ${body}` });
          } else if (taken.has(u.row.email)) {
            errors.push({ line: u.line, field: 'email', message: 'already used by another account' });
          } else create.push(u);
        }
        const counts = { rows: raw.length, create: create.length, unchanged, error: new Set(errors.map((e) => e.line)).size };
        if (dryRun || errors.length || create.length === 0) return { counts, written: false };

        const now = clock();
        const importedOn = londonDate(now);
        const complianceStartOn = grandfatheredObligationsStart((await currentSettings(tx)).settings.grandfatheringComplianceStart, importedOn);
        const accounts: Array<{ id: string; email: string; fullName: string }> = [];
        const entries: Array<{ id: string; reason: string } & Accreditation> = [];
        for (const b of chunks(create, BATCH)) {
          const people = await insertAccounts(
            tx,
            b.map(({ row }) => ({ email: row.email, fullName: row.fullName })),
          );
          accounts.push(...people);
          const userIds = new Map(people.map((a) => [a.email.toLowerCase(), a.id]));
          const profiles = await insertProfiles(
            tx,
            b.map(({ row }) => profileOf(userIds.get(row.email)!, row, body)),
          );
          const entryOf = new Map(profiles.map((p) => [p.userId, p.id]));
          for (const { row } of b) {
            const id = entryOf.get(userIds.get(row.email)!)!;
            entries.push({
              id,
              reason: GRANDFATHERED,
              route: 'grandfathered_2018',
              standardsVersion: '2018',
              body,
              membershipNumber: row.membershipNumber,
              firstAccreditedOn: row.firstAccreditedOn,
              complianceStartOn,
              importedOn,
            });
          }
          onProgress?.({ phase: 'written', done: accounts.length, total: create.length });
        }
        await issueClaims(tx, accounts);
        // Onto the register, each with its history row and audit event (register-entries); every
        // table written before the audit chain's lock is taken, and the import's own event after.
        await accredit(tx, ctx, now, entries);
        await recordAudit(tx, ctx, { action: 'import.grandfathered', entityType: 'import', entityId: `${body}:${now.toISOString()}`, after: { body, created: create.length, unchanged } });
        return { counts, written: true };
      });
      errors.sort((a, b) => a.line - b.line);
      return { dryRun, body, written: outcome.written, counts: outcome.counts, errors };
    },

    /** A new claim for an unclaimed account; the previous token stops working. */
    async reissueClaim(ctx: RequestContext, mediatorId: string) {
      return db.transaction(async (tx) => {
        const row = await lockEntryAccount(tx, mediatorId);
        if (!row) throw notFound('The register entry');
        if (row.u.id === ctx.actor.id) throw problem('own-record', 'Nobody re-issues a claim for their own entry; another admin of the body or a registrar must.');
        if (ctx.actor.role === 'admin' && row.m.body !== ctx.actor.body) throw problem('other-body', 'This entry belongs to the other body.');
        if (row.u.passwordHash) throw problem('already-claimed', 'This account has already been claimed; the member can reset their password instead.');
        await revokeClaimTokens(tx, row.u.id, clock());
        await issueClaims(tx, [row.u]);
        await recordAudit(tx, ctx, { action: 'claim.reissued', entityType: 'user', entityId: row.u.id });
        return { mediatorId, reissued: true as const };
      });
    },
  };
}
