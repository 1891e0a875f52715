import { and, eq } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { sql } from '../../../src/db/client.ts';
import { auditEvents } from '../../../src/db/schema.ts';
import { buildTestApp, eachDatabase, PASSWORD } from '../../helpers/app.ts';
import { dbKinds, type DbKind } from '../../helpers/database.ts';
import { isolatedRedisUrl, noRedis, testRedis, unreachableRedisUrl } from '../../helpers/redis.ts';

const redis = await testRedis();
// Redis goes with PostgreSQL in production (PGlite is one process): use it when the run has it.
const redisDb = dbKinds().at(-1)!;

/** Every attempt from an address of its own: only the per-account count can stop them. */
let address = 0;
const nextAddress = () => `10.${(++address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;

async function setup(t: Test, kind: DbKind, limit: number, redisUrl?: string) {
  const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_AUTH_PER_MINUTE: String(limit), ...(redisUrl ? { REDIS_URL: redisUrl } : {}) } });
  const instances = [ta.app, await ta.sibling()];
  const account = await ta.mediator();
  const login = (i: number, password: string) =>
    instances[i % 2]!.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: account.email, password }, remoteAddress: nextAddress() });
  return { ta, account, login };
}

async function sharedAcrossInstances(t: Test, kind: DbKind, redisUrl?: string) {
  const { ta, login } = await setup(t, kind, 5, redisUrl);
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) codes.push((await login(i, 'not the password')).statusCode);
  t.same(codes, [401, 401, 401, 401, 401, 429], 'five in all, not five per instance');
  const locked = await login(0, PASSWORD);
  t.equal(locked.statusCode, 429, 'the right password waits too');
  t.equal(locked.headers['retry-after'], '60');
  ta.clock.set('2025-06-02T10:00:59Z');
  t.equal((await login(1, PASSWORD)).statusCode, 429, 'until the window ends on the test clock');
  ta.clock.set('2025-06-02T10:01:00Z');
  t.equal((await login(1, PASSWORD)).statusCode, 200, 'then it signs in');
  const after: number[] = [];
  for (let i = 0; i < 6; i++) after.push((await login(i, 'not the password')).statusCode);
  t.same(after, [401, 401, 401, 401, 401, 429], 'and the success gave back the places');
}

async function concurrentGuesses(t: Test, kind: DbKind, redisUrl?: string) {
  const limit = 10;
  const { ta, account, login } = await setup(t, kind, limit, redisUrl);
  const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => login(i, `guess ${i}`)));
  const tally = (code: number) => responses.filter((r) => r.statusCode === code).length;
  t.same({ 401: tally(401), 429: tally(429) }, { 401: limit, 429: 100 - limit }, 'every answer a 401 or a 429, and no more 401s than the limit');
  const checked = await ta.database.db
    .select({ seq: auditEvents.seq })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, 'auth.login_failed'), eq(auditEvents.entityId, account.userId)));
  t.equal(checked.length, limit, 'passwords actually checked (each wrong one audited)');
}

await eachDatabase(t, async (t, kind) => {
  t.test('the failed-login limit is one count across instances, and ends with its window', (t) => sharedAcrossInstances(t, kind));
  t.test('100 concurrent wrong passwords on one account: only the limit are checked', (t) => concurrentGuesses(t, kind));
  t.test('the failed-login count fails closed: with its table gone, sign-in answers 503, not 500', async (t) => {
    const { ta, login } = await setup(t, kind, 5);
    await ta.database.db.execute(sql`DROP TABLE limit_counters`);
    const res = await login(0, PASSWORD);
    t.equal(res.statusCode, 503);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.ok(Number(res.headers['retry-after']) > 0, 'Retry-After given');
  });
});

t.test('redis', { skip: !redis && noRedis }, async (t) => {
  t.test('the failed-login limit is one count across instances on one Redis', (t) => sharedAcrossInstances(t, redisDb, isolatedRedisUrl(t, redis!).url));
  t.test('100 concurrent wrong passwords on one account: only the limit are checked', (t) => concurrentGuesses(t, redisDb, isolatedRedisUrl(t, redis!).url));
  t.test('with Redis unreachable, sign-in answers 503, not 500', async (t) => {
    const ta = await buildTestApp(t, redisDb, { env: { REDIS_URL: await unreachableRedisUrl() } });
    const res = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'someone@example.org', password: PASSWORD } });
    t.equal(res.statusCode, 503);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
  });
});
