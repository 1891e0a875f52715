import t from 'tap';
import { openDatabase, queryRows, sql } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';

for (const kind of dbKinds()) {
  t.test(`migrations on ${kind}`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(fresh.drop);
    const { db } = fresh.database;
    const ext = await queryRows<{ extname: string }>(db, sql`SELECT extname FROM pg_extension ORDER BY extname`);
    t.same(
      ext.map((e) => e.extname).filter((n) => ['citext', 'pg_trgm', 'unaccent'].includes(n)),
      ['citext', 'pg_trgm', 'unaccent'],
      'extensions enabled',
    );
    const tables = await queryRows<{ table_name: string }>(db, sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    for (const name of ['users', 'refresh_tokens', 'mediators', 'status_history', 'audit_events', 'notifications', 'register_settings_versions', 'register_changes', 'register_head']) {
      t.ok(
        tables.some((r) => r.table_name === name),
        `${name} exists`,
      );
    }
    const [before] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
    await migrateDatabase(fresh.database);
    const [after] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
    t.equal(after!.n, before!.n, 'applying again is a no-op');
  });
}

t.test('several processes migrating one new PostgreSQL database take turns', { skip: !process.env.TEST_DATABASE_URL && 'TEST_DATABASE_URL not set' }, async (t) => {
  const fresh = await freshDatabase('postgres');
  t.teardown(fresh.drop);
  // A second, empty database: point three independent pools at it and migrate all at once.
  const url = new URL(fresh.url!);
  const name = `${url.pathname.slice(1)}_race`;
  await fresh.database.pool!.query(`CREATE DATABASE ${name}`);
  url.pathname = `/${name}`;
  const pools = await Promise.all([1, 2, 3].map(() => openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 2 })));
  t.teardown(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await fresh.database.pool!.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  await Promise.all(pools.map((p) => migrateDatabase(p)));
  const [row] = await queryRows<{ n: number }>(pools[0]!.db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
  const [files] = await queryRows<{ n: number }>(fresh.database.db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
  t.equal(row!.n, files!.n, 'each migration applied exactly once');
});
