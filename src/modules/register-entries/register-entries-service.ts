import type { Queryable } from '../../db/client.ts';
import { checkStatusTransition, type TransitionCheck } from '../../domain/status-transitions.ts';
import type { EntryStatus } from '../../domain/vocabulary.ts';
import { forbidden, notFound, problem } from '../../errors.ts';
import type { RequestContext } from '../../lib/context.ts';
import { recordAuditEvents, type AuditInput } from '../audit/audit-service.ts';
import { enqueueNotifications } from '../notifications/outbox.ts';
import { loadEntries, writeStatuses, type Accreditation, type Entry, type StatusWrite, type Written } from './register-entries-repository.ts';

/**
 * The one writer of register status (docs/domain.md, status changes). Every change is checked with
 * the transition rules, then written set-based with its history row, notification and audit event,
 * all in the caller's transaction `tx`.
 */

type Refused = Extract<TransitionCheck, { ok: false }>['reason'] | 'own_entry';

function refusal(reason: Refused, from: EntryStatus | null, to: EntryStatus) {
  if (reason === 'own_entry') return problem('own-record', 'Nobody changes the status of their own register entry; another admin of the body or a registrar must.');
  if (reason === 'other_body') return problem('other-body', 'This entry belongs to the other body.');
  if (reason === 'forbidden_role') return forbidden();
  return problem('transition-not-allowed', `An entry cannot go from ${from} to ${to}.`, [{ in: 'body', field: 'status', message: `not allowed from ${from}` }]);
}

/** Why this actor may not make this move, or null if they may. Staff can hold an entry of their own (mediators.user_id). */
function refusedFor(ctx: RequestContext, entry: Entry, to: EntryStatus, body = entry.body): Refused | null {
  if (ctx.actor.id !== undefined && entry.userId === ctx.actor.id) return 'own_entry';
  const check = checkStatusTransition(entry.status, to, { role: ctx.actor.role ?? 'system', body: ctx.actor.body ?? null }, body);
  return check.ok ? null : check.reason;
}

const actorOf = (ctx: RequestContext) => ({ userId: ctx.actor.id ?? null, role: ctx.actor.role ?? 'system' });

const statusChanged = (w: Written): AuditInput => ({
  action: 'mediator.status_changed',
  entityType: 'mediator',
  entityId: w.id,
  before: { status: w.from },
  after: { status: w.to, reason: w.reason },
});

/**
 * Puts mediators not yet on the register onto it, accredited, with their route and membership
 * (approval of an application, the grandfathering import). No message of its own: each route
 * already tells the member in its own words (the decision, the claim mail).
 */
export async function accredit(tx: Queryable, ctx: RequestContext, now: Date, entries: ReadonlyArray<{ id: string; reason: string } & Accreditation>) {
  const found = await loadEntries(
    tx,
    entries.map((e) => e.id),
  );
  const writes: StatusWrite[] = entries.map(({ id, reason, ...accreditation }) => {
    const entry = found.get(id);
    if (!entry) throw notFound('The register entry');
    if (entry.status !== null) throw problem('already-on-register', 'This mediator is already on the register.');
    const refused = refusedFor(ctx, entry, 'accredited', accreditation.body);
    if (refused) throw refusal(refused, null, 'accredited');
    return { id, from: null, to: 'accredited', reason, accreditation };
  });
  const written = await writeStatuses(tx, writes, actorOf(ctx), now);
  if (written.length < writes.length) throw problem('already-on-register', 'This mediator is already on the register.');
  await recordAuditEvents(
    tx,
    ctx,
    written.map((w) => ({
      action: w.route === 'grandfathered_2018' ? 'mediator.grandfathered' : 'mediator.accredited',
      entityType: 'mediator',
      entityId: w.id,
      after: { status: 'accredited', route: w.route, body: w.body, membershipNumber: w.membershipNumber },
    })),
  );
  return written;
}

/** Staff decisions: each entry moves as asked, or nothing moves (the first refusal is the answer). */
export async function changeStatus(tx: Queryable, ctx: RequestContext, now: Date, changes: ReadonlyArray<{ id: string; status: EntryStatus; reason: string }>) {
  const found = await loadEntries(
    tx,
    changes.map((c) => c.id),
  );
  const writes: StatusWrite[] = changes.map(({ id, status, reason }) => {
    const entry = found.get(id);
    if (!entry?.status) throw notFound('The register entry');
    const refused = refusedFor(ctx, entry, status);
    if (refused) throw refusal(refused, entry.status, status);
    return { id, from: entry.status, to: status, reason };
  });
  const written = await writeStatuses(tx, writes, actorOf(ctx), now);
  // The caller asked for all of them: one lost to a concurrent change refuses the whole transaction.
  if (written.length < writes.length) throw problem('concurrent-change', 'The entry changed at the same time; reload it.');
  await enqueueNotifications(
    tx,
    written.map((w) => ({ recipient: w.email, userId: w.userId, template: 'status_changed', data: { fullName: w.fullName, from: w.from, status: w.to, reason: w.reason } })),
  );
  await recordAuditEvents(tx, ctx, written.map(statusChanged));
  return written;
}

/**
 * The compliance job's lapse: those of `ids` the rules let lapse (still accredited) lapse; any
 * other is passed over, as is one a concurrent change got to first. Answers the ids lapsed.
 */
export async function lapse(tx: Queryable, ctx: RequestContext, now: Date, ids: readonly string[], reason: string): Promise<string[]> {
  const found = await loadEntries(tx, [...new Set(ids)]);
  const writes: StatusWrite[] = [...found.values()].filter((entry) => refusedFor(ctx, entry, 'lapsed') === null).map((entry) => ({ id: entry.id, from: entry.status, to: 'lapsed', reason }));
  const written = await writeStatuses(tx, writes, actorOf(ctx), now);
  await enqueueNotifications(
    tx,
    written.map((w) => ({ recipient: w.email, userId: w.userId, template: 'compliance_lapsed', data: { fullName: w.fullName, reason } })),
  );
  await recordAuditEvents(tx, ctx, written.map(statusChanged));
  return written.map((w) => w.id);
}
