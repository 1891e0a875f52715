import type { FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { buildTestApp, eachDatabase, type TestApp } from '../helpers/app.ts';
import { dbKinds } from '../helpers/database.ts';
import { isolatedRedisUrl, noRedis, testRedis, unreachableRedisUrl } from '../helpers/redis.ts';

const redis = await testRedis();
// Redis goes with PostgreSQL in production (PGlite is one process): use it when the run has it.
const redisDb = dbKinds().at(-1)!;
const LIMIT = 6;

/** `count` searches from one address, alternating between the instances; their status codes. */
async function search(instances: FastifyInstance[], count: number, remoteAddress = '10.1.1.1') {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await instances[i % instances.length]!.inject({ method: 'GET', url: '/v1/register', remoteAddress });
    codes.push(res.statusCode);
  }
  return codes;
}

async function sharedLimit(t: Test, ta: TestApp) {
  const instances = [ta.app, await ta.sibling()];
  const codes = await search(instances, LIMIT + 4);
  t.same(codes, [...Array(LIMIT).fill(200), ...Array(4).fill(429)], `${LIMIT} in all, not ${LIMIT} per instance`);
  t.same(await search(instances, 2, '10.2.2.2'), [200, 200], 'another address has its own count');
  const refused = await instances[1]!.inject({ method: 'GET', url: '/v1/register', remoteAddress: '10.1.1.1' });
  t.equal(refused.headers['retry-after'], '60');
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  ta.clock.set('2025-06-02T10:00:59Z');
  t.same(await search(instances, 1), [429], 'still refused just before the window ends (the test clock is the store clock)');
  ta.clock.set('2025-06-02T10:01:00Z');
  t.same(await search(instances, LIMIT + 1), [...Array(LIMIT).fill(200), 429], 'a new window when the old one ends');
}

await eachDatabase(t, async (t, kind) => {
  t.test('two instances on one database share a public limit', async (t) => {
    await sharedLimit(t, await buildTestApp(t, kind, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: String(LIMIT) } }));
  });

  t.test('the limit fails open: with its table gone, requests are still served', async (t) => {
    const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: String(LIMIT) } });
    await ta.database.db.execute(sql`DROP TABLE limit_counters`);
    t.same(await search([ta.app], LIMIT + 2), Array(LIMIT + 2).fill(200));
  });
});

t.test('redis', { skip: !redis && noRedis }, async (t) => {
  t.test('two instances on one Redis share a public limit', async (t) => {
    const { url, prefix, redis: admin } = isolatedRedisUrl(t, redis!);
    const ta = await buildTestApp(t, redisDb, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: String(LIMIT), REDIS_URL: url } });
    await sharedLimit(t, ta);
    t.ok((await admin.keys(`${prefix}limits:rl:*`)).length > 0, 'counted in Redis');
    t.same(await queryRows(ta.database.db, sql`SELECT key FROM limit_counters`), [], 'not in the database');
  });

  t.test('the limit fails open: with Redis unreachable, requests are still served', async (t) => {
    const ta = await buildTestApp(t, redisDb, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: String(LIMIT), REDIS_URL: await unreachableRedisUrl() } });
    t.same(await search([ta.app], LIMIT + 2), Array(LIMIT + 2).fill(200));
  });
});
