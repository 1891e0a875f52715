import t from 'tap';
import { count, eq } from 'drizzle-orm';
import { auditEvents, claimTokens, complianceAdjustments, mediators, statusHistory } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';
import { accredit } from '../../helpers/compliance.ts';

/** Rows each of these actions writes: a refused one must leave them all as they were. */
const footprint = async (ta: TestApp) => {
  const db = ta.database.db;
  const n = async (table: typeof statusHistory | typeof complianceAdjustments | typeof claimTokens | typeof auditEvents) => (await db.select({ n: count() }).from(table))[0]!.n;
  return { history: await n(statusHistory), adjustments: await n(complianceAdjustments), claims: await n(claimTokens), audit: await n(auditEvents) };
};

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const comAdmin = await ta.staff('admin', 'com');

  /** A CoM mediator on the register, then given a staff role by the registrar, as happens when one joins the staff. */
  async function staffWithEntry(role: 'admin' | 'registrar') {
    const m = await ta.mediator();
    await accredit(ta, m.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-05-01', complianceStartOn: '2025-04-01' });
    const promoted = await ta.request({
      method: 'PUT',
      url: `/v1/admin/users/${m.userId}/role`,
      token: registrar.token,
      payload: { role, ...(role === 'admin' ? { body: 'com' } : {}), reason: 'joins the staff' },
    });
    if (promoted.statusCode !== 200) throw new Error(promoted.body);
    const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });
    return { ...m, token: login.json().accessToken as string };
  }
  const status = (id: string, token: string, to: string) =>
    ta.request({ method: 'POST', url: `/v1/admin/mediators/${id}/status`, token, payload: { status: to, reason: 'Complaint under investigation' } });
  const exempt = (id: string, token: string) =>
    ta.request({ method: 'POST', url: `/v1/admin/mediators/${id}/exemptions`, token, payload: { period: 2025, kind: 'exemption', reason: 'Parental leave' } });
  const reissue = (id: string, token: string) => ta.request({ method: 'POST', url: `/v1/admin/mediators/${id}/claim`, token });
  const statusOf = async (id: string) => (await ta.database.db.select({ status: mediators.status }).from(mediators).where(eq(mediators.id, id)))[0]!.status;

  const admin = await staffWithEntry('admin');
  const registrarOnRegister = await staffWithEntry('registrar');
  const other = await ta.mediator();
  await accredit(ta, other.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-05-01', complianceStartOn: '2025-04-01' });
  const imported = await ta.request({
    method: 'POST',
    url: '/v1/admin/imports/grandfathered',
    token: comAdmin.token,
    payload: [{ fullName: 'Unclaimed Member', email: 'unclaimed@example.org', membershipNumber: 'COM-UNCLAIMED', firstAccreditedOn: '2018-12-01', regions: ['london'], languages: ['en'] }],
  });
  t.equal(imported.statusCode, 200, imported.body);
  const [unclaimed] = await ta.database.db.select({ id: mediators.id }).from(mediators).where(eq(mediators.membershipNumber, 'COM-UNCLAIMED'));

  for (const [who, self] of [
    ['an admin of the body', admin],
    ['a registrar', registrarOnRegister],
  ] as const) {
    await t.test(`${who} who is on the register never acts on their own entry`, async (t) => {
      // Suspended by someone else: reinstating it themself is what the review found possible.
      t.equal((await status(self.mediatorId, comAdmin.token, 'suspended')).statusCode, 200);
      const before = await footprint(ta);

      const reinstate = await status(self.mediatorId, self.token, 'accredited');
      t.equal(reinstate.statusCode, 403, 'reinstating their own entry');
      t.match(reinstate.headers['content-type'], /^application\/problem\+json/);
      t.match(reinstate.json().detail, /own register entry/);
      t.equal((await status(self.mediatorId, self.token, 'removed')).statusCode, 403, 'removing it either');

      const exemption = await exempt(self.mediatorId, self.token);
      t.equal(exemption.statusCode, 403, 'exempting their own period');
      t.match(exemption.json().detail, /own compliance period/);
      const extension = await ta.request({
        method: 'POST',
        url: `/v1/admin/mediators/${self.mediatorId}/exemptions`,
        token: self.token,
        payload: { period: 2025, kind: 'extension', until: '2026-09-30', reason: 'Illness' },
      });
      t.equal(extension.statusCode, 403, 'extending their own grace');

      const claim = await reissue(self.mediatorId, self.token);
      t.equal(claim.statusCode, 403, 'a claim for their own entry, before anything about the account is said');
      t.match(claim.json().detail, /own entry/);

      t.same(await footprint(ta), before, 'nothing written');
      t.equal(await statusOf(self.mediatorId), 'suspended');
    });
  }

  await t.test('the same actions on someone else’s entry still work', async (t) => {
    t.equal((await status(other.mediatorId, admin.token, 'suspended')).statusCode, 200, 'the admin suspends another CoM entry');
    t.equal((await exempt(other.mediatorId, admin.token)).statusCode, 201, 'and exempts it');
    t.equal((await reissue(unclaimed!.id, admin.token)).statusCode, 200, 'and re-issues another member’s claim');

    t.equal((await status(admin.mediatorId, registrarOnRegister.token, 'accredited')).statusCode, 200, 'the registrar reinstates the admin’s entry');
    t.equal((await exempt(admin.mediatorId, registrarOnRegister.token)).statusCode, 201, 'and exempts it');
    t.equal((await reissue(unclaimed!.id, registrarOnRegister.token)).statusCode, 200);
    t.equal((await status(registrarOnRegister.mediatorId, admin.token, 'accredited')).statusCode, 200, 'the admin reinstates the registrar’s entry');
    t.equal(await statusOf(admin.mediatorId), 'accredited');
  });
});
