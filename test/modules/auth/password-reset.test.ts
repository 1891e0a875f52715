import t, { type Test } from 'tap';
import { and, eq } from 'drizzle-orm';
import { auditEvents, notifications, passwordResets, users } from '../../../src/db/schema.ts';
import { hashToken } from '../../../src/lib/tokens.ts';
import { createPasswordResetService, REQUEST_FLOOR_MS } from '../../../src/modules/auth/password-reset-service.ts';
import { renderTemplate } from '../../../src/modules/notifications/templates.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { mailCount, mailedSecret, secretIn } from '../../helpers/mail.ts';

const NEW_PASSWORD = 'copper kettles hum beneath nine bridges';
const HOUR = 3_600_000;

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const { db } = ta.database;
  const ask = (email: string) => ta.request({ method: 'POST', url: '/v1/auth/password-reset', payload: { email } });
  const confirm = (token: string, password = NEW_PASSWORD) => ta.request({ method: 'POST', url: '/v1/auth/password-reset/confirm', payload: { token, password } });
  const login = (email: string, password = PASSWORD) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  const resetLink = (email: string) => mailedSecret(db, email, 'password_reset');
  /** Moves the clock for one test and puts it back after. */
  const timeTravel = (t: Test) => {
    const start = ta.clock();
    t.teardown(() => ta.clock.set(start.toISOString()));
    return (ms: number) => ta.clock.set(new Date(start.getTime() + ms).toISOString());
  };

  await t.test('the answer is the same whether or not the address has an account', async (t) => {
    const m = await ta.mediator();
    const staff = await ta.staff('assessor');
    const answers = [await ask(m.email), await ask(staff.email), await ask('nobody.here@example.org')];
    t.same(
      answers.map((a) => a.statusCode),
      [202, 202, 202],
    );
    t.same(answers[2]!.json(), answers[0]!.json());
    t.same(answers[1]!.json(), answers[0]!.json());
    t.equal(await mailCount(db, m.email, 'password_reset'), 1, 'the mediator gets a link');
    t.equal(await mailCount(db, staff.email, 'password_reset'), 1, 'so does staff');
    t.equal(await mailCount(db, 'nobody.here@example.org', 'password_reset'), 0, 'an unknown address gets nothing');
    const mail = (
      await db
        .select()
        .from(notifications)
        .where(and(eq(notifications.recipient, m.email), eq(notifications.template, 'password_reset')))
    )[0]!.data as Record<string, unknown>;
    t.match(mail.link, /^http:\/\/127\.0\.0\.1:3000\/account\/reset\?code=[\w-]{43}$/, 'a link to the reset page');
    t.same(Object.keys(mail).sort(), ['fullName', 'link', 'resetPage'], 'the code is only in the link');
    t.match(renderTemplate('password_reset', mail).text, /If the link has expired, ask for a new one at http:\/\/127\.0\.0\.1:3000\/account\/reset\n/, 'and where to ask again');
    const [audit] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, m.userId), eq(auditEvents.action, 'auth.password_reset_requested')));
    t.ok(audit, 'the request is audited');
  });

  await t.test('known or not, an address is answered no sooner than the floor', async (t) => {
    const m = await ta.mediator();
    const timed = async (send: () => Promise<unknown>) => {
      const started = performance.now();
      await send();
      return performance.now() - started;
    };
    for (const email of [m.email, 'nobody.timed@example.org']) {
      t.ok((await timed(() => ask(email))) >= REQUEST_FLOOR_MS, `${email}: at least ${REQUEST_FLOOR_MS} ms`);
    }
    t.equal(await mailCount(db, m.email, 'password_reset'), 1, 'the known address still got its link');
    const service = createPasswordResetService({ db, clock: ta.clock, publicUrl: () => 'http://x', requestFloorMs: 400 });
    const ctx = { actor: { type: 'anonymous' as const }, requestId: null, ip: '192.0.2.40' };
    for (const email of [m.email, 'nobody.timed@example.org']) {
      t.ok((await timed(() => service.request(ctx, email))) >= 400, `${email}: a floor set by the deployment holds too`);
    }
  });

  await t.test('at most three mails per address an hour from one network, answered the same', async (t) => {
    const travel = timeTravel(t);
    const m = await ta.mediator();
    const answers = [await ask(m.email), await ask(m.email), await ask(m.email), await ask(m.email), await ask(m.email)];
    t.same(
      answers.map((a) => a.statusCode),
      [202, 202, 202, 202, 202],
    );
    t.ok(
      answers.every((a) => a.body === answers[0]!.body),
      'over the limit the body is the same',
    );
    t.equal(await mailCount(db, m.email, 'password_reset'), 3, 'only three sent');
    travel(HOUR + 1000);
    await ask(m.email);
    t.equal(await mailCount(db, m.email, 'password_reset'), 4, 'a new hour, a new mail');
  });

  await t.test('a stranger cannot spend the owner’s reset mails; one mailbox gets at most ten an hour', async (t) => {
    const m = await ta.mediator();
    const from = (remoteAddress: string) => ta.request({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: m.email }, remoteAddress });
    for (const host of ['1', '2', '3', '4', 'ab:cd']) t.equal((await from(`2001:db8:66:1::${host}`)).statusCode, 202);
    t.equal(await mailCount(db, m.email, 'password_reset'), 3, 'the hosts of one IPv6 /64 share one allowance');
    t.equal((await from('192.0.2.10')).statusCode, 202);
    t.equal(await mailCount(db, m.email, 'password_reset'), 4, 'the owner, asking from their own network, still gets a link');
    t.equal((await confirm(await resetLink(m.email))).statusCode, 200, 'and it works');
    for (let i = 1; i <= 8; i++) t.equal((await from(`198.51.100.${i}`)).statusCode, 202);
    t.equal(await mailCount(db, m.email, 'password_reset'), 10, 'from however many networks, ten an hour at most');
  });

  await t.test('a reset sets the password, ends every session, and is audited', async (t) => {
    const m = await ta.mediator();
    const sessions = [await login(m.email), await login(m.email)].map((r) => r.json().refreshToken as string);
    const [before] = await db.select().from(users).where(eq(users.id, m.userId));
    await ask(m.email);
    const done = await confirm(await resetLink(m.email));
    t.equal(done.statusCode, 200);
    t.same(done.json(), { email: m.email });
    t.equal((await login(m.email)).statusCode, 401, 'the old password no longer signs in');
    t.equal((await login(m.email, NEW_PASSWORD)).statusCode, 200, 'the new one does');
    for (const refreshToken of sessions) {
      t.equal((await ta.request({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } })).statusCode, 401, 'an earlier session cannot refresh');
    }
    const [after] = await db.select().from(users).where(eq(users.id, m.userId));
    t.ok(after!.sessionVersion > before!.sessionVersion, 'the session version moved, voiding access tokens');
    const [audit] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, m.userId), eq(auditEvents.action, 'auth.password_reset')));
    t.match(audit, { actorId: m.userId, after: { claimedByReset: false } });
  });

  await t.test('a link works once, even when used twice at the same moment', async (t) => {
    const m = await ta.mediator();
    await ask(m.email);
    const token = await resetLink(m.email);
    const both = await Promise.all([confirm(token, NEW_PASSWORD), confirm(token, 'amber foxes steer eleven quiet barges')]);
    t.same(both.map((r) => r.statusCode).sort(), [200, 400], 'exactly one succeeds');
    const winner = both[0]!.statusCode === 200 ? NEW_PASSWORD : 'amber foxes steer eleven quiet barges';
    t.equal((await login(m.email, winner)).statusCode, 200, 'the password set is the winner’s');
    const again = await confirm(token);
    t.equal(again.statusCode, 400);
    t.match(again.json().errors, [{ in: 'body', field: 'token', message: 'not a valid password reset link' }]);
    t.same(again.json(), (await confirm('no-such-link')).json(), 'used and unknown answer the same');
  });

  await t.test('a new request replaces the live link; a link expires after one hour', async (t) => {
    const travel = timeTravel(t);
    const m = await ta.mediator();
    await ask(m.email);
    const first = await resetLink(m.email);
    travel(1000);
    await ask(m.email);
    const second = await resetLink(m.email);
    t.equal((await confirm(first)).statusCode, 400, 'the older link stopped working');
    travel(HOUR + 2000);
    const expired = await confirm(second);
    t.equal(expired.statusCode, 400, 'refused after an hour');
    t.same(expired.json(), (await confirm('no-such-link')).json());
    travel(HOUR + 3000);
    await ask(m.email);
    const third = await resetLink(m.email);
    travel(2 * HOUR);
    t.equal((await confirm(third)).statusCode, 200, 'works seconds short of the hour');
  });

  await t.test('the new password must be strong, the person’s own details counting as guesses; the link survives a refusal', async (t) => {
    const m = await ta.mediator('Dylan.Thomas@example.org', 'Dylan Thomas');
    await ask(m.email);
    const token = await resetLink(m.email);
    for (const password of ['password1234', 'dylanthomas2025']) {
      const weak = await confirm(token, password);
      t.equal(weak.statusCode, 400, password);
      t.match(weak.json().errors, [{ in: 'body', field: 'password', message: /^is too easy to guess/ }]);
    }
    t.equal((await confirm(token, 'short')).statusCode, 400, 'too short');
    t.equal((await confirm(token)).statusCode, 200, 'a strong one is taken with the same link');
  });

  await t.test('the database keeps only the hash of a link', async (t) => {
    const m = await ta.mediator();
    await ask(m.email);
    const token = await resetLink(m.email);
    const [row] = await db.select().from(passwordResets).where(eq(passwordResets.userId, m.userId));
    t.equal(row!.tokenHash, hashToken(token));
    t.notMatch(JSON.stringify(row), token, 'the plain token is nowhere in the row');
    const service = createPasswordResetService({ db, clock: ta.clock, publicUrl: () => 'http://x' });
    t.equal(await service.isLive(token), true);
    await confirm(token);
    t.equal(await service.isLive(token), false, 'used');
  });

  await t.test('a grandfathered member who never claimed sets a first password by reset; the claim code dies', async (t) => {
    const registrar = await ta.staff('registrar');
    const csv = 'Full Name,Email,Membership Number,First Accredited On,Regions,Languages\r\nNia Unclaimed,nia@example.org,COM-901,2019-05-01,london,en\r\n';
    const imported = await ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered?body=com', token: registrar.token, payload: csv, headers: { 'content-type': 'text/csv' } });
    t.equal(imported.statusCode, 200);
    const claimCode = secretIn((await db.select().from(notifications).where(eq(notifications.template, 'claim_account')))[0]!.data);
    await ask('nia@example.org');
    t.equal((await confirm(await resetLink('nia@example.org'))).statusCode, 200);
    t.equal((await login('nia@example.org', NEW_PASSWORD)).statusCode, 200, 'signs in');
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token: claimCode, password: PASSWORD } })).statusCode, 400, 'the claim code no longer works');
    const [user] = await db.select().from(users).where(eq(users.email, 'nia@example.org'));
    const [audit] = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, user!.id), eq(auditEvents.action, 'auth.password_reset')));
    t.match(audit, { after: { claimedByReset: true } });
  });
});

await eachDatabase(t, async (t, kind) => {
  await t.test('requests are rate-limited per IP', async (t) => {
    const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_AUTH_PER_MINUTE: '3' } });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await ta.request({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: `p${i}@example.org` }, remoteAddress: '10.7.7.7' })).statusCode);
    t.same(codes, [202, 202, 202, 429, 429]);
  });
});
