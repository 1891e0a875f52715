import pg from 'pg';
import t from 'tap';
import { openDatabase, queryRows, sql, type DatabaseTarget } from '../../src/db/client.ts';

// Checked first, before anything in this process opens a database.
t.test('importing the database client changes none of the driver-wide parsers', async (t) => {
  t.type(pg.types.getTypeParser(pg.types.builtins.DATE, 'text')('2025-03-31'), Date, 'a date: still the driver default');
  t.equal(pg.types.getTypeParser(pg.types.builtins.INT8, 'text')('7'), '7', 'an int8: still the driver default');
});

const targets: DatabaseTarget[] = [{ kind: 'pglite', dataDir: 'memory://' }];
if (process.env.TEST_DATABASE_URL) targets.push({ kind: 'postgres', url: process.env.TEST_DATABASE_URL, poolMax: 1 });

for (const target of targets) {
  t.test(`${target.kind}: dates come back as strings, int8 and numeric as numbers`, async (t) => {
    const database = await openDatabase(target);
    t.teardown(() => database.close());
    const [row] = await queryRows<{ d: unknown; n: unknown; x: unknown }>(database.db, sql`SELECT '2025-03-31'::date AS d, 7::int8 AS n, 1.25::numeric AS x`);
    t.same(row, { d: '2025-03-31', n: 7, x: 1.25 });
  });
}
