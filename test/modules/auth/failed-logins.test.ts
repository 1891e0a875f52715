import { and, eq } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { sql } from '../../../src/db/client.ts';
import { auditEvents } from '../../../src/db/schema.ts';
import { networkOf } from '../../../src/lib/attempt-limiter.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { dbKinds, type DbKind } from '../../helpers/database.ts';
import { isolatedRedisUrl, noRedis, testRedis, unreachableRedisUrl } from '../../helpers/redis.ts';

const redis = await testRedis();
// Redis goes with PostgreSQL in production (PGlite is one process): use it when the run has it.
const redisDb = dbKinds().at(-1)!;
const WRONG = 'not the password at all';
const WINDOW_SECONDS = '900';

/** A fresh address for each call: a guesser with many of them. */
let address = 0;
const nextAddress = () => `10.${(++address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;

/** Two instances sharing one count; `login` alternates between them. */
async function setup(t: Test, kind: DbKind, limits: { perAddress: number; perAccount: number }, redisUrl?: string) {
  const env = { LOGIN_FAILURES_PER_ADDRESS: String(limits.perAddress), LOGIN_FAILURES_PER_ACCOUNT: String(limits.perAccount), ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
  const ta = await buildTestApp(t, kind, { env });
  const instances = [ta.app, await ta.sibling()];
  const account = await ta.mediator();
  let turn = 0;
  const login = (password: string, remoteAddress: string) => instances[turn++ % 2]!.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: account.email, password }, remoteAddress });
  const codes = async (n: number, password: string, from: () => string) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await login(password, from())).statusCode);
    return out;
  };
  const failuresChecked = async () =>
    (
      await ta.database.db
        .select({ seq: auditEvents.seq })
        .from(auditEvents)
        .where(and(eq(auditEvents.action, 'auth.login_failed'), eq(auditEvents.entityId, account.userId)))
    ).length;
  return { ta, account, login, codes, failuresChecked };
}

async function oneAddress(t: Test, kind: DbKind, redisUrl?: string) {
  const { ta, login, codes } = await setup(t, kind, { perAddress: 5, perAccount: 50 }, redisUrl);
  const attacker = '203.0.113.66';
  t.same(await codes(6, WRONG, () => attacker), [401, 401, 401, 401, 401, 429], 'five per account and address, counted across instances');
  const refused = await login(PASSWORD, attacker);
  t.equal(refused.statusCode, 429, 'from that address the right password waits too');
  t.equal(refused.headers['retry-after'], WINDOW_SECONDS);
  t.match(refused.headers['content-type'], /^application\/problem\+json/);

  t.equal((await login(PASSWORD, '198.51.100.7')).statusCode, 200, 'the owner signs in from another address at once');
  t.equal((await login(PASSWORD, '127.0.0.1')).statusCode, 200, 'and from where they signed in before');
  t.equal((await login(PASSWORD, attacker)).statusCode, 429, 'their success gave back nothing to the other address');

  ta.clock.set('2025-06-02T10:14:59Z');
  t.equal((await login(PASSWORD, attacker)).statusCode, 429, 'until the 15-minute window ends on the test clock');
  ta.clock.set('2025-06-02T10:15:00Z');
  t.equal((await login(PASSWORD, attacker)).statusCode, 200, 'then it signs in');
  t.same(await codes(6, WRONG, () => attacker), [401, 401, 401, 401, 401, 429], 'and its success gave its own places back');
}

async function manyAddresses(t: Test, kind: DbKind, redisUrl?: string) {
  const { ta, login, codes } = await setup(t, kind, { perAddress: 5, perAccount: 8 }, redisUrl);
  // The owner signed in from here during setup (10:00), which also spent a place of that window.
  const owner = '127.0.0.1';
  ta.clock.set('2025-06-02T10:15:00Z');
  t.same(await codes(10, WRONG, nextAddress), [...Array(8).fill(401), 429, 429], 'eight guesses per window however many addresses');
  const fresh = await login(PASSWORD, nextAddress());
  t.equal(fresh.statusCode, 429, 'the right password from a new address waits for the window too');
  t.equal(fresh.headers['retry-after'], WINDOW_SECONDS);
  t.equal((await login(PASSWORD, owner)).statusCode, 200, 'the owner is not held up where they signed in lately');

  ta.clock.set('2025-06-02T10:30:00Z');
  t.equal((await login(PASSWORD, nextAddress())).statusCode, 200, 'a new address signs in once the window ends');
  t.same(await codes(9, WRONG, nextAddress), [...Array(7).fill(401), 429, 429], 'that success spent a place and gave none back');

  ta.clock.set('2025-07-02T10:14:59Z');
  t.same(await codes(9, WRONG, nextAddress), [...Array(8).fill(401), 429], 'a month later, a new window');
  t.equal((await login(PASSWORD, owner)).statusCode, 200, 'a known address stays known for 30 days after its latest sign-in (10:15)');
  ta.clock.set('2025-08-01T10:15:00Z');
  t.same(await codes(9, WRONG, nextAddress), [...Array(8).fill(401), 429]);
  t.equal((await login(PASSWORD, owner)).statusCode, 429, 'after 30 days without signing in there, it is a new address again');
}

async function ipv6Networks(t: Test, kind: DbKind) {
  const { login, codes } = await setup(t, kind, { perAddress: 3, perAccount: 50 });
  let host = 0;
  t.same(await codes(4, WRONG, () => `2001:db8:5:7::${(++host).toString(16)}`), [401, 401, 401, 429], 'addresses in one /64 count as one network');
  t.equal((await login(PASSWORD, '2001:db8:5:8::1')).statusCode, 200, 'the next /64 is another');
}

async function concurrentGuesses(t: Test, kind: DbKind, redisUrl?: string) {
  const limit = 10;
  const { ta, login, failuresChecked } = await setup(t, kind, { perAddress: limit, perAccount: limit }, redisUrl);
  const tally = (responses: Array<{ statusCode: number }>) => ({ 401: responses.filter((r) => r.statusCode === 401).length, 429: responses.filter((r) => r.statusCode === 429).length });

  // A window of its own, past the one the setup's sign-in started.
  ta.clock.set('2025-06-02T10:15:00Z');
  const fromOne = await Promise.all(Array.from({ length: 100 }, (_, i) => login(`guess ${i} from one`, '203.0.113.9')));
  t.same(tally(fromOne), { 401: limit, 429: 100 - limit }, 'one address: every answer a 401 or a 429, and no more 401s than the limit');
  t.equal(await failuresChecked(), limit, 'passwords actually checked (each wrong one audited)');

  ta.clock.set('2025-06-02T10:30:00Z');
  const fromMany = await Promise.all(Array.from({ length: 100 }, (_, i) => login(`guess ${i} from many`, nextAddress())));
  t.same(tally(fromMany), { 401: limit, 429: 100 - limit }, 'a hundred addresses at once: the account-wide limit holds too');
  t.equal(await failuresChecked(), 2 * limit, 'and only that many more were checked');
}

t.test('networkOf: IPv4 as it is, IPv6 by its /64', async (t) => {
  t.equal(networkOf('203.0.113.9'), '203.0.113.9');
  t.equal(networkOf('::ffff:203.0.113.9'), '203.0.113.9', 'IPv4-mapped');
  t.equal(networkOf('2001:db8:5:7::1'), '2001:db8:5:7::/64');
  t.equal(networkOf('2001:0DB8:0005:0007:aaaa:bbbb:cccc:dddd'), '2001:db8:5:7::/64', 'written out in full, any case');
  t.equal(networkOf('2001:db8::1'), '2001:db8:0:0::/64');
  t.equal(networkOf('::1'), '0:0:0:0::/64');
  t.equal(networkOf('unknown'), 'unknown');
});

await eachDatabase(t, async (t, kind) => {
  t.test('failures from one address: 429 there after the limit, the owner signs in from elsewhere', (t) => oneAddress(t, kind));
  t.test('failures from many addresses: the account-wide limit, which the owner’s known address skips', (t) => manyAddresses(t, kind));
  t.test('IPv6 addresses are counted by network', (t) => ipv6Networks(t, kind));
  t.test('100 concurrent wrong passwords on one account: only the limit are checked', (t) => concurrentGuesses(t, kind));
  t.test('the failed-login count fails closed: with its table gone, sign-in answers 503, not 500', async (t) => {
    const { ta, login } = await setup(t, kind, { perAddress: 5, perAccount: 5 });
    await ta.database.db.execute(sql`DROP TABLE limit_counters`);
    const res = await login(PASSWORD, '127.0.0.1');
    t.equal(res.statusCode, 503);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After given');
  });
});

t.test('redis', { skip: !redis && noRedis }, async (t) => {
  t.test('one address, one Redis', (t) => oneAddress(t, redisDb, isolatedRedisUrl(t, redis!).url));
  t.test('many addresses, one Redis', (t) => manyAddresses(t, redisDb, isolatedRedisUrl(t, redis!).url));
  t.test('100 concurrent wrong passwords on one account: only the limit are checked', (t) => concurrentGuesses(t, redisDb, isolatedRedisUrl(t, redis!).url));
  t.test('with Redis unreachable, sign-in answers 503, not 500', async (t) => {
    const ta = await buildTestApp(t, redisDb, { env: { REDIS_URL: await unreachableRedisUrl() } });
    const res = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'someone@example.org', password: PASSWORD } });
    t.equal(res.statusCode, 503);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
  });
});
