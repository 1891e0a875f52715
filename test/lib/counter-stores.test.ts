import t, { type Test } from 'tap';
import { openDatabase, queryRows, sql } from '../../src/db/client.ts';
import type { CounterStore } from '../../src/lib/counter-store.ts';
import { createPgCounterStore } from '../../src/lib/pg-counter-store.ts';
import { openRedisCounterStore } from '../../src/lib/redis-counter-store.ts';
import { testClock, type TestClock } from '../helpers/app.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';
import { isolatedRedisUrl, noRedis, testRedis } from '../helpers/redis.ts';

const MINUTE = 60_000;
const redis = await testRedis();
const fail = (err: Error) => {
  throw err;
};

/** Two stores on one backing, as two instances of the API would have. */
type Pair = { a: CounterStore; b: CounterStore; clock: TestClock };
const kinds: Record<string, { skip?: string | false; open: (t: Test) => Promise<Pair> }> = {};
for (const kind of dbKinds()) {
  kinds[kind] = {
    async open(t) {
      const fresh = await freshDatabase(kind);
      t.teardown(fresh.drop);
      const clock = testClock();
      // On PostgreSQL the second store has a pool of its own, as another process would.
      const other = fresh.url ? await openDatabase({ kind: 'postgres', url: fresh.url, poolMax: 10 }) : fresh.database;
      if (other !== fresh.database) t.teardown(() => other.close());
      return { a: createPgCounterStore(fresh.database.db, clock), b: createPgCounterStore(other.db, clock), clock };
    },
  };
}
kinds.redis = {
  skip: !redis && noRedis,
  async open(t) {
    const { url } = isolatedRedisUrl(t, redis!);
    const clock = testClock();
    const [a, b] = await Promise.all([openRedisCounterStore(url, clock, fail), openRedisCounterStore(url, clock, fail)]);
    t.teardown(() => Promise.all([a.close(), b.close()]));
    return { a, b, clock };
  },
};

for (const [kind, { skip, open }] of Object.entries(kinds)) {
  t.test(kind, { skip }, async (t) => {
    t.test('one count across instances, started again when the window ends on the injected clock', async (t) => {
      const { a, b, clock } = await open(t);
      t.same(await a.hit('k', MINUTE), { count: 1, ttlMs: MINUTE });
      clock.set('2025-06-02T10:00:10Z');
      t.same(await b.hit('k', MINUTE), { count: 2, ttlMs: 50_000 }, 'the other instance counts on, in the same window');
      t.same(await a.hit('other', MINUTE), { count: 1, ttlMs: MINUTE }, 'keys are counted apart');
      clock.set('2025-06-02T10:00:59.999Z');
      t.same(await a.hit('k', MINUTE), { count: 3, ttlMs: 1 });
      clock.set('2025-06-02T10:01:00Z');
      t.same(await b.hit('k', MINUTE), { count: 1, ttlMs: MINUTE }, 'a new window at its end');
    });

    t.test('reset forgets a key for every instance', async (t) => {
      const { a, b } = await open(t);
      for (let i = 0; i < 3; i++) await a.hit('k', MINUTE);
      await b.reset('k');
      t.equal((await a.hit('k', MINUTE)).count, 1);
    });

    t.test('peek reads a live count without counting, and nothing once the window ends', async (t) => {
      const { a, b, clock } = await open(t);
      t.equal(await a.peek('k'), 0, 'an unknown key');
      await a.hit('k', MINUTE);
      await a.hit('k', MINUTE);
      t.equal(await b.peek('k'), 2);
      t.equal(await b.peek('k'), 2, 'peeking did not count');
      clock.set('2025-06-02T10:01:00Z');
      t.equal(await a.peek('k'), 0, 'the window ended on the injected clock');
      await b.reset('k');
      t.equal(await a.peek('k'), 0);
    });

    t.test('100 concurrent hits on one key from two instances each get their own count', async (t) => {
      const { a, b } = await open(t);
      const hits = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).hit('k', MINUTE)));
      t.same(
        hits.map((h) => h.count).sort((x, y) => x - y),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });
  });
}

t.test('redis: counters live under the URL key prefix, with an expiry of their window', { skip: !redis && noRedis }, async (t) => {
  const { url, prefix, redis: admin } = isolatedRedisUrl(t, redis!);
  const store = await openRedisCounterStore(url, testClock(), fail);
  t.teardown(() => store.close());
  await store.hit('k', MINUTE);
  t.same(await admin.keys(`${prefix}*`), [`${prefix}limits:k`]);
  const ttl = await admin.pttl(`${prefix}limits:k`);
  t.ok(ttl > 0 && ttl <= MINUTE, `expires in ${ttl} ms`);
});

t.test('pglite: expired rows are swept as hits go by, live ones kept', async (t) => {
  const fresh = await freshDatabase('pglite');
  t.teardown(fresh.drop);
  const clock = testClock();
  const store = createPgCounterStore(fresh.database.db, clock);
  await store.hit('short', 1000);
  await store.hit('long', MINUTE);
  clock.set('2025-06-02T10:00:30Z');
  // The store sweeps every thousandth hit it makes.
  for (let i = 0; i < 998; i++) await store.hit(`k${i % 10}`, MINUTE);
  const rows = await queryRows<{ key: string }>(fresh.database.db, sql`SELECT key FROM limit_counters WHERE key IN ('short', 'long')`);
  t.same(
    rows.map((r) => r.key),
    ['long'],
  );
});

for (const kind of dbKinds()) {
  t.test(`${kind}: hits on one key at once go to the database in a few statements, each hit with its own count`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(fresh.drop);
    const db = fresh.database.db;
    // Counts the statements that write the counters (an upsert fires the INSERT and the UPDATE statement triggers).
    await db.execute(sql`CREATE TABLE counter_statements (op text)`);
    await db.execute(sql`CREATE FUNCTION count_counter_statement() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO counter_statements VALUES (TG_OP); RETURN NULL; END $$`);
    await db.execute(sql`CREATE TRIGGER counted AFTER INSERT ON limit_counters FOR EACH STATEMENT EXECUTE FUNCTION count_counter_statement()`);
    const store = createPgCounterStore(db, testClock());
    const hits = await Promise.all(Array.from({ length: 50 }, () => store.hit('flood', MINUTE)));
    t.same(
      hits.map((h) => h.count).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const [{ n }] = (await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM counter_statements`)) as [{ n: number }];
    t.ok(n <= 5, `${n} statements for 50 hits`);
  });
}
