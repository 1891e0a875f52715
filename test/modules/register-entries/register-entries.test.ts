import { randomUUID } from 'node:crypto';
import t from 'tap';
import { revealed } from '../../helpers/audit.ts';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../../../src/db/client.ts';
import { auditEvents, mediators, notifications, statusHistory, users } from '../../../src/db/schema.ts';
import { HttpProblem } from '../../../src/errors.ts';
import type { RequestContext } from '../../../src/lib/context.ts';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { accredit, changeStatus, lapse } from '../../../src/modules/register-entries/register-entries-service.ts';
import { insertEntries } from '../../helpers/entries.ts';
import { dbKinds, freshDatabase } from '../../helpers/database.ts';

const registrar: RequestContext = { actor: { type: 'user', id: randomUUID(), role: 'registrar', body: null }, requestId: 'req-1' };
const comAdmin: RequestContext = { actor: { type: 'user', id: randomUUID(), role: 'admin', body: 'com' }, requestId: 'req-2' };
const system: RequestContext = { actor: { type: 'system' }, requestId: null };
const now = new Date('2025-06-02T10:00:00Z');

/** Mediators with a profile but not on the register (status null). */
async function profiles(db: Db, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [u] = await db
      .insert(users)
      .values({ email: `profile-${randomUUID()}@example.org`, fullName: `Profile ${i}` })
      .returning();
    const [m] = await db
      .insert(mediators)
      .values({ userId: u!.id, fullName: `Profile ${i}` })
      .returning();
    ids.push(m!.id);
  }
  return ids;
}

const statuses = async (db: Db, ids: string[]) =>
  Object.fromEntries((await db.select({ id: mediators.id, status: mediators.status }).from(mediators).where(inArray(mediators.id, ids))).map((r) => [r.id, r.status]));
const historyOf = (db: Db, ids: string[]) => db.select().from(statusHistory).where(inArray(statusHistory.mediatorId, ids)).orderBy(asc(statusHistory.seq));
const auditOf = async (db: Db, ids: string[]) => revealed(db, await db.select().from(auditEvents).where(inArray(auditEvents.entityId, ids)).orderBy(asc(auditEvents.seq)));
const mailTo = (db: Db, template: string) => db.select().from(notifications).where(eq(notifications.template, template));

/** The problem a call is refused with, checked to have left nothing behind (the caller's transaction rolls back). */
async function refused(db: Db, ids: string[], fn: (tx: Queryable) => Promise<unknown>): Promise<HttpProblem> {
  const before = { statuses: await statuses(db, ids), history: (await historyOf(db, ids)).length, audit: (await auditOf(db, ids)).length };
  const err = await db
    .transaction((tx) => fn(tx))
    .then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e,
    );
  if (!(err instanceof HttpProblem)) throw err;
  const after = { statuses: await statuses(db, ids), history: (await historyOf(db, ids)).length, audit: (await auditOf(db, ids)).length };
  if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`a refused call wrote: ${JSON.stringify({ before, after })}`);
  return err;
}

for (const kind of dbKinds()) {
  t.test(`register entries on ${kind}`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(() => fresh.drop());
    const { db } = fresh.database;

    await t.test('several entries change status in one call, each with history, mail and audit', async (t) => {
      const ids = await insertEntries(db, [{ fullName: 'Ann One' }, { fullName: 'Ben Two' }, { fullName: 'Cat Three', body: 'cmc' }]);
      const written = await db.transaction((tx) =>
        changeStatus(
          tx,
          registrar,
          now,
          ids.map((id) => ({ id, status: 'suspended' as const, reason: 'Complaint under investigation' })),
        ),
      );
      t.same(
        written.map((w) => [w.from, w.to]).sort(),
        ids.map(() => ['accredited', 'suspended']),
      );
      t.same(await statuses(db, ids), Object.fromEntries(ids.map((id) => [id, 'suspended'])));
      const changes = (await historyOf(db, ids)).filter((h) => h.toStatus === 'suspended');
      t.same(
        changes
          .map((h) => ({ id: h.mediatorId, from: h.fromStatus, reason: h.reason, actor: h.actorUserId, role: h.actorRole, at: h.changedAt.toISOString() }))
          .sort((a, b) => a.id.localeCompare(b.id)),
        ids
          .map((id) => ({ id, from: 'accredited', reason: 'Complaint under investigation', actor: registrar.actor.id, role: 'registrar', at: now.toISOString() }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      );
      const [entry] = await db.select().from(mediators).where(eq(mediators.id, ids[0]!));
      t.same(entry!.statusChangedAt, now);
      const events = await auditOf(db, ids);
      t.same(new Set(events.map((e) => e.entityId)), new Set(ids));
      t.ok(events.every((e) => e.action === 'mediator.status_changed' && e.requestId === 'req-1'));
      t.same(events[0]!.before, { status: 'accredited' });
      t.same(events[0]!.after, { status: 'suspended', reason: 'Complaint under investigation' });
      const mails = (await mailTo(db, 'status_changed')).filter((n) => ['Ann One', 'Ben Two', 'Cat Three'].includes((n.data as { fullName: string }).fullName));
      t.equal(mails.length, 3);
      t.match(mails[0]!.data, { from: 'accredited', status: 'suspended', reason: 'Complaint under investigation' });
    });

    await t.test('a refused move refuses the whole call: nothing moves', async (t) => {
      const [ok, removed, cmc] = await insertEntries(db, [{ fullName: 'Dan Four' }, { fullName: 'Eve Five', status: 'removed' }, { fullName: 'Fay Six', body: 'cmc' }]);
      const notAllowed = await refused(db, [ok!, removed!], (tx) =>
        changeStatus(tx, registrar, now, [
          { id: ok!, status: 'suspended', reason: 'x' },
          { id: removed!, status: 'accredited', reason: 'x' },
        ]),
      );
      t.equal(notAllowed.code, 'transition-not-allowed');
      t.same(notAllowed.errors, [{ in: 'body', field: 'status', message: 'not allowed from removed' }]);
      t.equal((await refused(db, [ok!], (tx) => changeStatus(tx, registrar, now, [{ id: ok!, status: 'accredited', reason: 'x' }]))).code, 'transition-not-allowed', 'same status');
      t.equal(
        (
          await refused(db, [ok!, cmc!], (tx) =>
            changeStatus(tx, comAdmin, now, [
              { id: ok!, status: 'suspended', reason: 'x' },
              { id: cmc!, status: 'suspended', reason: 'x' },
            ]),
          )
        ).code,
        'other-body',
      );
      t.equal((await refused(db, [ok!], (tx) => changeStatus(tx, system, now, [{ id: randomUUID(), status: 'suspended', reason: 'x' }]))).code, 'not-found');
      const [owner] = await db.select({ userId: mediators.userId }).from(mediators).where(eq(mediators.id, ok!));
      const self: RequestContext = { actor: { type: 'user', id: owner!.userId, role: 'registrar', body: null }, requestId: null };
      t.equal((await refused(db, [ok!], (tx) => changeStatus(tx, self, now, [{ id: ok!, status: 'suspended', reason: 'x' }]))).code, 'own-record');
    });

    await t.test('accredit puts profiles on the register with their route; never one already on it', async (t) => {
      const [a, b] = await profiles(db, 2);
      const details = { standardsVersion: '2018', body: 'com' as const, firstAccreditedOn: '2019-01-01', complianceStartOn: '2025-04-01', importedOn: '2025-06-02' };
      await db.transaction((tx) =>
        accredit(tx, comAdmin, now, [
          { id: a!, reason: 'Grandfathered from the 2018 register', route: 'grandfathered_2018', membershipNumber: 'COM-A', ...details },
          { id: b!, reason: 'Application approved', route: 'standards_2024', membershipNumber: 'COM-B', ...details, standardsVersion: '2024', importedOn: null },
        ]),
      );
      const [entryA] = await db.select().from(mediators).where(eq(mediators.id, a!));
      t.match(entryA, {
        status: 'accredited',
        route: 'grandfathered_2018',
        body: 'com',
        membershipNumber: 'COM-A',
        firstAccreditedOn: '2019-01-01',
        complianceStartOn: '2025-04-01',
        importedOn: '2025-06-02',
        statusChangedAt: now,
      });
      t.same(
        (await historyOf(db, [a!])).map((h) => [h.fromStatus, h.toStatus, h.reason, h.actorRole]),
        [[null, 'accredited', 'Grandfathered from the 2018 register', 'admin']],
      );
      const events = await auditOf(db, [a!, b!]);
      t.same(
        events.map((e) => [e.entityId, e.action, e.after]).sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
        [
          [b, 'mediator.accredited', { status: 'accredited', route: 'standards_2024', body: 'com', membershipNumber: 'COM-B' }],
          [a, 'mediator.grandfathered', { status: 'accredited', route: 'grandfathered_2018', body: 'com', membershipNumber: 'COM-A' }],
        ],
      );
      const again = await refused(db, [a!], (tx) => accredit(tx, registrar, now, [{ id: a!, reason: 'again', route: 'grandfathered_2018', membershipNumber: 'COM-A2', ...details }]));
      t.equal(again.code, 'already-on-register');
      const [c] = await profiles(db, 1);
      t.equal(
        (await refused(db, [c!], (tx) => accredit(tx, comAdmin, now, [{ id: c!, reason: 'x', route: 'standards_2024', membershipNumber: 'CMC-C', ...details, body: 'cmc' }]))).code,
        'other-body',
      );
    });

    await t.test('lapse passes over entries the rules do not let lapse', async (t) => {
      const ids = await insertEntries(db, [{ fullName: 'Gus Seven' }, { fullName: 'Hal Eight' }, { fullName: 'Ida Nine', status: 'suspended' }, { fullName: 'Jo Ten', status: 'lapsed' }]);
      const reason = 'Annual requirements not met';
      const lapsed = await db.transaction((tx) => lapse(tx, system, now, [...ids, ids[0]!, randomUUID()], reason));
      t.same(lapsed.sort(), [ids[0]!, ids[1]!].sort(), 'the two accredited, once each');
      t.same(await statuses(db, ids), { [ids[0]!]: 'lapsed', [ids[1]!]: 'lapsed', [ids[2]!]: 'suspended', [ids[3]!]: 'lapsed' });
      const history = (await historyOf(db, ids)).filter((h) => h.changedAt.getTime() === now.getTime());
      t.same(
        history.map((h) => [h.fromStatus, h.toStatus, h.reason, h.actorRole, h.actorUserId]),
        [
          ['accredited', 'lapsed', reason, 'system', null],
          ['accredited', 'lapsed', reason, 'system', null],
        ],
      );
      const mails = (await mailTo(db, 'compliance_lapsed')).filter((n) => ['Gus Seven', 'Hal Eight'].includes((n.data as { fullName: string }).fullName));
      t.equal(mails.length, 2);
      t.same(mails[0]!.data, { fullName: (mails[0]!.data as { fullName: string }).fullName, reason });
      t.equal((await auditOf(db, ids)).filter((e) => e.action === 'mediator.status_changed' && e.actorType === 'system').length, 2);
      t.same(await db.transaction((tx) => lapse(tx, system, now, ids, reason)), [], 'a second lapse finds none still accredited');
    });

    await t.test('the status statement itself refuses a move the register does not allow, whoever calls it', async (t) => {
      const [removed] = await insertEntries(db, [{ fullName: 'Kit Eleven', status: 'removed' }]);
      await t.rejects(writeStatuses(db, [{ id: removed!, from: 'removed', to: 'accredited', reason: 'x' }], { userId: null, role: 'system' }, now), /cannot move from removed to accredited/);
      await t.rejects(writeStatuses(db, [{ id: removed!, from: null, to: 'lapsed', reason: 'x' }], { userId: null, role: 'system' }, now), /cannot move from off the register to lapsed/);
      t.same(await statuses(db, [removed!]), { [removed!]: 'removed' }, 'nothing written');
    });
  });
}
