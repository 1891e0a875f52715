import { eq } from 'drizzle-orm';
import t from 'tap';
import { claimTokens, users } from '../../../src/db/schema.ts';
import { accountLinks } from '../../helpers/account-links.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const links = accountLinks(ta.database.db, ta.clock);
  const claim = (token: string, password: string) => ta.request({ method: 'POST', url: '/v1/auth/claim', payload: { token, password } });
  const signIn = (email: string, password: string) => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

  await t.test('a claim refuses a password made of the member’s own name or email, and the code stays usable', async (t) => {
    const { code, userId } = await links.claim('g1@t.example');
    await ta.database.db.update(users).set({ fullName: 'Gina Grand' }).where(eq(users.id, userId));

    for (const password of ['gina grand 2019', 'GinaGrand!2019', 'g1@t.example2019']) {
      const refused = await claim(code, password);
      t.equal(refused.statusCode, 400, password);
      t.match(refused.headers['content-type'], /^application\/problem\+json/);
      t.match(refused.json().errors, [{ in: 'body', field: 'password', message: /^is too easy to guess \(It contains your own name or email address/ }], `${password}: the field and why`);
      t.equal((await signIn('g1@t.example', password)).statusCode, 401, `${password}: not set`);
    }
    const [row] = await ta.database.db.select({ usedAt: claimTokens.usedAt }).from(claimTokens).where(eq(claimTokens.userId, userId));
    t.equal(row!.usedAt, null, 'the code is not consumed by a refused password');

    const claimed = await claim(code, PASSWORD);
    t.equal(claimed.statusCode, 200, 'the same code then takes a good password');
    t.same(claimed.json(), { claimed: true, email: 'g1@t.example' });
    t.equal((await signIn('g1@t.example', PASSWORD)).statusCode, 200);
  });

  await t.test('a weak password on an unknown code answers as any unknown code', async (t) => {
    const res = await claim('made-up-claim-code', 'gina grand 2019');
    t.equal(res.statusCode, 400);
    t.match(res.json().errors, [{ in: 'body', field: 'token' }], 'the code is judged first: nothing about whose it might be');
  });
});
