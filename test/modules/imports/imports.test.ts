import t from 'tap';
import { count, eq } from 'drizzle-orm';
import { auditEvents, claimTokens, mediators, notifications, users } from '../../../src/db/schema.ts';
import { readCsv } from '../../../src/modules/imports/import-file.ts';
import { secretIn } from '../../helpers/mail.ts';
import { buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';

const HEADER = 'Full Name,EMAIL,Membership Number,First Accredited On,Regions,Languages,Organisation,Contact Email,Show Email';
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\r\n')}\r\n`;
const GOOD = csv(
  'Siân Jones,sian@example.org,COM-001,2019-05-01,london;south_east,en;cy,"Jones, Evans & Co",sian@jones.example.org,yes',
  `"Aoife O'Neill",aoife@example.org,COM-002,2019-06-01,north_west,en,"Family ""First"" Mediation",,no`,
  'Zoë Brown,zoe@example.org,COM-003,2019-07-01,national,en;pl,"Line one\nline two",,',
);

const counts = async (ta: TestApp) => ({
  users: (await ta.database.db.select({ n: count() }).from(users))[0]!.n,
  mediators: (await ta.database.db.select({ n: count() }).from(mediators))[0]!.n,
  claims: (await ta.database.db.select({ n: count() }).from(claimTokens))[0]!.n,
  mail: (await ta.database.db.select({ n: count() }).from(notifications))[0]!.n,
});

t.test('pure parts', async (t) => {
  const rows = readCsv(`\uFEFF${GOOD}`);
  t.equal(rows.length, 3, 'BOM skipped');
  t.same(
    rows.map((r) => r.line),
    [2, 3, 4],
    'line numbers of the file',
  );
  t.equal(rows[0]!.values.organisation, 'Jones, Evans & Co', 'quoted comma');
  t.equal(rows[1]!.values.organisation, 'Family "First" Mediation', 'quoted quotes');
  t.equal(rows[2]!.values.organisation, 'Line one\nline two', 'embedded newline');
  t.same(
    readCsv(GOOD.replaceAll('\r\n', '\n')).map((r) => r.values.fullName),
    ['Siân Jones', "Aoife O'Neill", 'Zoë Brown'],
    'LF too',
  );
  t.throws(() => readCsv('Name,Shoe Size\nA,9\n'), /Unknown column "Shoe Size"/, 'unknown column');
  t.throws(() => readCsv('Name,Full Name\nA,B\n'), /Two columns hold fullName/, 'the same column twice');
  const spaced = readCsv('Name,Organisation\r\n\r\nA,"one\r\ntwo\r\nthree"\r\n\r\n\r\nB,x\r\nC\r\n');
  t.same(
    spaced.map((r) => r.line),
    [3, 8, 9],
    'file lines past blank lines and CRLF inside quotes',
  );
  t.equal(spaced[2]!.problem, '1 fields where the header has 2', 'a short row is a row problem, not a broken file');
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const comAdmin = await ta.staff('admin', 'com');
  const cmcAdmin = await ta.staff('admin', 'cmc');
  const post = (token: string, payload: string | object, query = '') =>
    ta.request({
      method: 'POST',
      url: `/v1/admin/imports/grandfathered${query}`,
      token,
      payload: payload as string,
      headers: { 'content-type': typeof payload === 'string' ? 'text/csv' : 'application/json' },
    });

  await t.test('clean import, then re-import changes nothing', async (t) => {
    const before = await counts(ta);
    const dry = await post(comAdmin.token, `\uFEFF${GOOD}`, '?dryRun=true');
    t.equal(dry.statusCode, 200);
    t.match(dry.json(), { dryRun: true, written: false, counts: { rows: 3, create: 3, unchanged: 0, error: 0 } });
    t.same(await counts(ta), before, 'a dry run writes nothing');

    const real = await post(comAdmin.token, GOOD);
    t.equal(real.statusCode, 200);
    t.match(real.json(), { written: true, body: 'com', counts: { create: 3 } });
    const after = await counts(ta);
    t.equal(after.mediators - before.mediators, 3);
    t.equal(after.claims - before.claims, 3, 'a claim each');
    t.equal(after.mail - before.mail, 3, 'sent through the outbox');

    const again = await post(comAdmin.token, GOOD);
    t.match(again.json(), { written: false, counts: { create: 0, unchanged: 3, error: 0 } });
    t.same(await counts(ta), after, 're-import changes nothing');

    const res = await ta.request({ method: 'GET', url: '/v1/register?q=sian' });
    t.match(res.json().items, [
      { fullName: 'Siân Jones', route: 'grandfathered_2018', body: 'com', regions: ['london', 'south_east'], languages: ['en', 'cy'], contactEmail: 'sian@jones.example.org' },
    ]);
    const [entry] = await ta.database.db.select().from(mediators).where(eq(mediators.membershipNumber, 'COM-001'));
    t.match(entry, { status: 'accredited', standardsVersion: '2018', firstAccreditedOn: '2019-05-01', complianceStartOn: '2025-06-02', importedOn: '2025-06-02' });
    const events = await ta.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'mediator.grandfathered'));
    t.equal(events.length, 3, 'an audit event per entry');
  });

  await t.test('mixed good and bad rows: every error with its line, nothing written', async (t) => {
    const before = await counts(ta);
    const mixed = csv(
      'Good Person,good@example.org,COM-100,2019-01-01,london,en,,,',
      'Bad Email,not-an-email,COM-101,2019-01-01,london,en,,,',
      'Bad Region,badregion@example.org,COM-102,2019-01-01,atlantis,en,,,',
      'Bad Date,baddate@example.org,COM-103,2019-02-30,london,en,,,',
      'Dup Number,dup@example.org,COM-100,2019-01-01,london,en,,,',
      'Taken Number,taken@example.org,COM-001,2019-01-01,london,en,,,',
      `Taken Email,${comAdmin.email},COM-104,2019-01-01,london,en,,,`,
      'Short Row,short@example.org,COM-105',
    );
    for (const dryRun of ['?dryRun=true', '']) {
      const res = await post(registrar.token, mixed, `${dryRun ? `${dryRun}&` : '?'}body=com`);
      t.equal(res.statusCode, dryRun ? 200 : 422);
      t.same(
        res.json().errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`),
        ['3:email', '4:regions.0', '5:firstAccreditedOn', '6:membershipNumber', '7:membershipNumber', '8:email', '9:(row)'],
      );
      t.match(res.json().counts, { rows: 8, error: 7 });
      t.same(await counts(ta), before, `nothing written (${dryRun ? 'dry run' : 'real run'})`);
    }
  });

  await t.test('JSON arrays, bodies and permissions', async (t) => {
    const row = { fullName: 'Json Person', email: 'json@example.org', membershipNumber: 'CMC-9', firstAccreditedOn: '2018-12-01', regions: ['london'], languages: ['en'] };
    t.equal((await post(cmcAdmin.token, [row], '?body=com')).statusCode, 403, 'a CMC admin importing into CoM');
    t.equal((await post(registrar.token, [row])).statusCode, 400, 'a registrar must name the body');
    const bad = await post(cmcAdmin.token, [{ ...row, shoeSize: 9 }]);
    t.equal(bad.statusCode, 422);
    t.same(bad.json().errors, [{ line: 1, field: 'shoeSize', message: bad.json().errors[0].message }], 'unknown keys are row errors');
    const ok = await post(cmcAdmin.token, [row]);
    t.match(ok.json(), { body: 'cmc', written: true, counts: { create: 1 } });
    t.equal((await ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered', token: (await ta.mediator()).token, payload: [row] })).statusCode, 403, 'mediators cannot import');
  });

  await t.test('claim flow: claim, sign in, reuse, expiry, re-issue', async (t) => {
    const claimRows = await ta.database.db.select({ data: notifications.data, userId: notifications.userId }).from(notifications).where(eq(notifications.template, 'claim_account'));
    const [user] = await ta.database.db.select().from(users).where(eq(users.email, 'aoife@example.org'));
    const token = secretIn(claimRows.find((r) => r.userId === user!.id)!.data);
    const mail = claimRows.find((r) => r.userId === user!.id)!.data as Record<string, unknown>;
    t.match(mail.link, /^http:\/\/127\.0\.0\.1:3000\/account\/claim\?code=[\w-]{43}$/, 'the mail links to the claim page (PUBLIC_URL unset: loopback on PORT)');
    t.same(Object.keys(mail).sort(), ['expiresOn', 'fullName', 'link'], 'the code is nowhere but in the link');

    const before = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'aoife@example.org', password: PASSWORD } });
    t.equal(before.statusCode, 401, 'no password before the claim');
    const claimed = await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token, password: PASSWORD } });
    t.equal(claimed.statusCode, 200);
    const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'aoife@example.org', password: PASSWORD } });
    t.equal(login.statusCode, 200, 'the claimed member signs in');
    const me = await ta.request({ method: 'GET', url: '/v1/me/profile', token: login.json().accessToken });
    t.match(me.json(), { fullName: "Aoife O'Neill", status: 'accredited', route: 'grandfathered_2018', membershipNumber: 'COM-002' }, 'and sees their entry');

    const reuse = await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token, password: 'another long password' } });
    const unknown = await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token: 'made-up-token', password: 'another long password' } });
    t.equal(reuse.statusCode, 400);
    t.same(reuse.json(), unknown.json(), 'used and unknown answer the same');

    // Zoë: re-issue makes the first code useless; the new one expires after 30 days.
    const [zoe] = await ta.database.db.select({ id: mediators.id, userId: mediators.userId }).from(mediators).where(eq(mediators.membershipNumber, 'COM-003'));
    const first = secretIn(claimRows.find((r) => r.userId === zoe!.userId)!.data);
    t.equal((await ta.request({ method: 'POST', url: `/v1/admin/mediators/${zoe!.id}/claim`, token: cmcAdmin.token })).statusCode, 403, 'other body');
    t.equal((await ta.request({ method: 'POST', url: `/v1/admin/mediators/${zoe!.id}/claim`, token: comAdmin.token })).statusCode, 200);
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token: first, password: PASSWORD } })).statusCode, 400, 'the old code stops working');
    const mails = await ta.database.db.select({ data: notifications.data }).from(notifications).where(eq(notifications.userId, zoe!.userId));
    const second = secretIn(mails.at(-1)!.data);
    ta.clock.advanceDays(31);
    const expired = await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token: second, password: PASSWORD } });
    t.equal(expired.statusCode, 400, 'expired after 30 days');
    t.same(expired.json(), unknown.json());
    ta.clock.advanceDays(-31);
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token: second, password: PASSWORD } })).statusCode, 200, 'within 30 days it works');
    t.equal((await ta.request({ method: 'POST', url: `/v1/admin/mediators/${zoe!.id}/claim`, token: comAdmin.token })).statusCode, 409, 'no claim for a claimed account');
  });

  await t.test('concurrent imports of overlapping files never duplicate an entry', async (t) => {
    const a = csv(...[1, 2, 3, 4].map((i) => `Overlap ${i},overlap${i}@example.org,OV-${i},2019-01-01,london,en,,,`));
    const b = csv(...[3, 4, 5, 6].map((i) => `Overlap ${i},overlap${i}@example.org,OV-${i},2019-01-01,london,en,,,`));
    const results = await Promise.all([post(comAdmin.token, a), post(registrar.token, b, '?body=com')]);
    t.same(
      results.map((r) => r.statusCode),
      [200, 200],
    );
    const created = results.reduce((n, r) => n + r.json().counts.create, 0);
    const unchanged = results.reduce((n, r) => n + r.json().counts.unchanged, 0);
    t.same([created, unchanged], [6, 2], 'the overlap counted once as created and once as unchanged');
    const [{ n }] = (await ta.database.db.select({ n: count() }).from(mediators).where(eq(mediators.body, 'com'))) as [{ n: number }];
    const [{ overlap }] = (await ta.database.db.select({ overlap: count() }).from(users).where(eq(users.fullName, 'Overlap 3'))) as [{ overlap: number }];
    t.equal(overlap, 1);
    t.ok(n >= 6);
  });
});
