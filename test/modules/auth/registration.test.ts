import t from 'tap';
import { revealed } from '../../helpers/audit.ts';
import { and, count, eq } from 'drizzle-orm';
import { auditEvents, mediators, notifications, pendingRegistrations, users } from '../../../src/db/schema.ts';
import { hashToken } from '../../../src/lib/tokens.ts';
import { createRegistrationService } from '../../../src/modules/auth/registration-service.ts';
import { renderTemplate } from '../../../src/modules/notifications/templates.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { mailCount, mailedSecret } from '../../helpers/mail.ts';

const OTHER_PASSWORD = 'copper kettles hum beneath nine bridges';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const { db } = ta.database;
  const register = (email: string, password = PASSWORD, fullName = 'Robin Example') => ta.request({ method: 'POST', url: '/v1/auth/register', payload: { email, password, fullName } });
  const verify = (token: string, password = PASSWORD) => ta.request({ method: 'POST', url: '/v1/auth/verify', payload: { token, password } });
  const login = (email: string, password = PASSWORD) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  const accounts = async (email: string) => (await db.select({ n: count() }).from(users).where(eq(users.email, email)))[0]!.n;
  const registrar = await ta.staff('registrar');

  await t.test('202 with the same body for a new address, a mediator’s and a staff member’s', async (t) => {
    const m = await ta.mediator();
    const answers = [await register('new.person@example.org'), await register(m.email), await register(registrar.email)];
    t.same(
      answers.map((a) => a.statusCode),
      [202, 202, 202],
    );
    t.same(answers[1]!.json(), answers[0]!.json(), 'an existing mediator: the same body');
    t.same(answers[2]!.json(), answers[0]!.json(), 'an existing staff account: the same body');
    t.equal(await mailCount(db, 'new.person@example.org', 'verify_email'), 1, 'the new address gets a verification link');
    for (const email of [m.email, registrar.email]) {
      t.equal(await mailCount(db, email, 'registration_account_exists'), 1, `${email}: told someone tried, instead`);
      t.equal((await db.select().from(pendingRegistrations).where(eq(pendingRegistrations.email, email))).length, 0, `${email}: nothing pending`);
    }
    const mailed = async (email: string, template: string) =>
      (
        await db
          .select()
          .from(notifications)
          .where(and(eq(notifications.recipient, email), eq(notifications.template, template)))
      )[0]!.data as Record<string, unknown>;
    t.match((await mailed('new.person@example.org', 'verify_email')).link, /^http:\/\/127\.0\.0\.1:3000\/account\/verify\?code=[\w-]{43}$/, 'a link to the verify page');
    const exists = renderTemplate('registration_account_exists', await mailed(m.email, 'registration_account_exists'));
    t.match(exists.text, /forgotten it, ask for a password reset link here:\n\nhttp:\/\/127\.0\.0\.1:3000\/account\/reset\n/, 'the owner is sent to the page that asks for a reset link');
  });

  await t.test('no account exists until the link is followed: no sign-in, so no application', async (t) => {
    t.equal((await register('unverified@example.org')).statusCode, 202);
    t.equal(await accounts('unverified@example.org'), 0, 'no account');
    const signIn = await login('unverified@example.org');
    t.equal(signIn.statusCode, 401, 'cannot sign in');
    t.same(signIn.json(), (await login('nobody.at.all@example.org')).json(), 'answered as an unknown address');
    const apply = await ta.request({ method: 'POST', url: '/v1/applications', payload: {} });
    t.equal(apply.statusCode, 401, 'and applying needs a signed-in account');
  });

  await t.test('verify asks again for the password chosen at registration, then creates the account', async (t) => {
    t.equal((await register('Verify.Me@Example.org', PASSWORD, 'Verity Mee')).statusCode, 202);
    const token = await mailedSecret(db, 'verify.me@example.org', 'verify_email');
    const wrong = await verify(token, OTHER_PASSWORD);
    t.equal(wrong.statusCode, 400);
    t.match(wrong.json().errors, [{ in: 'body', field: 'password', message: 'not the password chosen at registration' }]);
    t.equal(await accounts('verify.me@example.org'), 0, 'nothing created');

    const ok = await verify(token);
    t.equal(ok.statusCode, 201, 'the link still works with the right password');
    t.same(ok.json(), { email: 'verify.me@example.org' });
    const [row] = await db.select({ user: users, mediatorId: mediators.id }).from(users).innerJoin(mediators, eq(mediators.userId, users.id)).where(eq(users.email, 'verify.me@example.org'));
    t.match(row, { user: { fullName: 'Verity Mee', role: 'mediator', body: null }, mediatorId: String }, 'an account with its empty register entry');
    t.equal((await login('verify.me@example.org')).statusCode, 200, 'signs in');
    t.equal(await mailCount(db, 'verify.me@example.org', 'welcome'), 1, 'welcomed');
    const [audit] = await revealed(db, await db.select().from(auditEvents).where(eq(auditEvents.entityId, row!.user.id)));
    t.match(audit, { action: 'user.registered', actorId: row!.user.id, after: { email: 'verify.me@example.org', emailVerified: true } });
  });

  await t.test('a link works once, even when followed twice at the same moment', async (t) => {
    await register('twice@example.org');
    const token = await mailedSecret(db, 'twice@example.org', 'verify_email');
    const both = await Promise.all([verify(token), verify(token)]);
    t.same(both.map((r) => r.statusCode).sort(), [201, 400], 'one creates the account');
    t.equal(await accounts('twice@example.org'), 1);
    const again = await verify(token);
    t.equal(again.statusCode, 400);
    t.match(again.json().errors, [{ in: 'body', field: 'token' }]);
    t.same(again.json(), (await verify('no-such-link')).json(), 'used and unknown answer the same');
  });

  await t.test('a link expires after 48 hours, and expired registrations are swept', async (t) => {
    const start = ta.clock();
    t.teardown(() => ta.clock.set(start.toISOString()));
    await register('late@example.org');
    const late = await mailedSecret(db, 'late@example.org', 'verify_email');
    await register('in-time@example.org');
    const inTime = await mailedSecret(db, 'in-time@example.org', 'verify_email');
    ta.clock.set(new Date(start.getTime() + 47 * 3_600_000).toISOString());
    t.equal((await verify(inTime)).statusCode, 201, 'works at 47 hours');
    ta.clock.set(new Date(start.getTime() + 48 * 3_600_000 + 1000).toISOString());
    const expired = await verify(late);
    t.equal(expired.statusCode, 400, 'refused after 48 hours');
    t.same(expired.json(), (await verify('no-such-link')).json(), 'answered as an unknown link');
    await register('someone.else@example.org');
    t.equal((await db.select().from(pendingRegistrations).where(eq(pendingRegistrations.email, 'late@example.org'))).length, 0, 'the expired row is gone');
  });

  await t.test('pre-hijacking: whoever registers another’s address first gains nothing', async (t) => {
    // The attacker registers the victim's address first, with a password of their own.
    await register('victim@example.org', OTHER_PASSWORD, 'Attacker');
    const attackersLink = await mailedSecret(db, 'victim@example.org', 'verify_email');
    // The victim, who never sees a reason not to, registers too and gets a second mail.
    await register('victim@example.org', PASSWORD, 'Victim');
    const victimsLink = await mailedSecret(db, 'victim@example.org', 'verify_email');
    t.not(victimsLink, attackersLink);
    const confused = await verify(attackersLink, PASSWORD);
    t.equal(confused.statusCode, 400, 'the victim following the attacker’s link with their password creates nothing');
    t.match(confused.json().errors, [{ field: 'password' }]);
    t.equal((await verify(victimsLink, PASSWORD)).statusCode, 201, 'their own link creates their account');
    t.equal((await verify(attackersLink, OTHER_PASSWORD)).statusCode, 400, 'and the attacker’s registration is gone');
    t.equal((await login('victim@example.org', OTHER_PASSWORD)).statusCode, 401, 'the attacker’s password does not sign in');
    t.equal((await login('victim@example.org', PASSWORD)).statusCode, 200);
    const [user] = await db.select().from(users).where(eq(users.email, 'victim@example.org'));
    t.equal(user!.fullName, 'Victim');
  });

  await t.test('a stranger cannot spend the owner’s verification mails; one mailbox gets at most ten an hour', async (t) => {
    const email = 'sought.after@example.org';
    const from = (remoteAddress: string, password = PASSWORD) => ta.request({ method: 'POST', url: '/v1/auth/register', payload: { email, password, fullName: 'Robin Example' }, remoteAddress });
    for (const host of ['1', '2', '3', '4', 'ab:cd']) t.equal((await from(`2001:db8:66:1::${host}`, OTHER_PASSWORD)).statusCode, 202);
    t.equal(await mailCount(db, email, 'verify_email'), 3, 'the hosts of one IPv6 /64 share one allowance');
    t.equal((await from('192.0.2.10')).statusCode, 202);
    t.equal(await mailCount(db, email, 'verify_email'), 4, 'the owner, registering from their own network, still gets a link');
    const ownersLink = await mailedSecret(db, email, 'verify_email');
    for (let i = 1; i <= 8; i++) t.equal((await from(`198.51.100.${i}`, OTHER_PASSWORD)).statusCode, 202);
    t.equal(await mailCount(db, email, 'verify_email'), 10, 'from however many networks, ten an hour at most');
    t.equal((await verify(ownersLink)).statusCode, 201, 'the owner’s link creates their account');
  });

  await t.test('an unverified registration never blocks the import of the real member', async (t) => {
    await register('grandfathered@example.org', OTHER_PASSWORD, 'Squatter');
    const squattersLink = await mailedSecret(db, 'grandfathered@example.org', 'verify_email');
    const csv = 'Full Name,Email,Membership Number,First Accredited On,Regions,Languages\r\nGwen Fathered,grandfathered@example.org,COM-777,2019-05-01,london,en\r\n';
    const imported = await ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered?body=com', token: registrar.token, payload: csv, headers: { 'content-type': 'text/csv' } });
    t.equal(imported.statusCode, 200);
    t.match(imported.json(), { written: true, counts: { create: 1, error: 0 } });
    t.equal(await mailCount(db, 'grandfathered@example.org', 'claim_account'), 1, 'the member gets the claim email');
    const late = await verify(squattersLink, OTHER_PASSWORD);
    t.equal(late.statusCode, 409, 'the old registration can no longer become an account');
    t.match(late.json().detail, /sign in or reset your password/);
    const [user] = await db.select().from(users).where(eq(users.email, 'grandfathered@example.org'));
    t.equal(user!.fullName, 'Gwen Fathered', 'the imported member keeps the address');
  });

  await t.test('the database keeps only the hash of a link', async (t) => {
    await register('hashed@example.org');
    const token = await mailedSecret(db, 'hashed@example.org', 'verify_email');
    const [row] = await db.select().from(pendingRegistrations).where(eq(pendingRegistrations.email, 'hashed@example.org'));
    t.equal(row!.tokenHash, hashToken(token));
    t.notMatch(JSON.stringify(row), token, 'the plain token is nowhere in the row');
    const service = createRegistrationService({ db, clock: ta.clock, publicUrl: () => 'http://x' });
    t.equal(await service.isLive(token), true, 'a live link');
    t.equal(await service.isLive('no-such-link'), false);
    await verify(token);
    t.equal(await service.isLive(token), false, 'a used one');
  });
});
