import { eq } from 'drizzle-orm';
import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { executePrepared, runPrepared } from '../../src/db/prepared.ts';
import { ruleSets } from '../../src/db/schema.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';

for (const kind of dbKinds()) {
  t.test(`prepared statements on ${kind}: reused with new values, and inside the caller's transaction`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(() => fresh.drop());
    const db = fresh.database.db;
    await db.execute(sql`CREATE TABLE prepared_probe (n int PRIMARY KEY)`);
    const insert = (q: typeof db, n: number) => executePrepared(q, sql`INSERT INTO prepared_probe (n) VALUES (${n})`);
    const count = async () => (await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM prepared_probe`))[0]!.n;

    for (const n of [1, 2, 3, 4, 5, 6, 7]) await insert(db, n);
    t.equal(await count(), 7, 'one text, run again with other values (past the plan cache’s first five)');

    await t.rejects(
      db.transaction(async (tx) => {
        await insert(tx as unknown as typeof db, 8);
        throw new Error('roll back');
      }),
    );
    t.equal(await count(), 7, 'a raw statement ran in the transaction, and went with its rollback');

    // The same key for the same text, whatever the values.
    const ruleSet = (q: typeof db, id: string) => runPrepared('probe rule set', q.select({ id: ruleSets.id }).from(ruleSets).where(eq(ruleSets.id, id)));
    const [first] = await db.select({ id: ruleSets.id }).from(ruleSets).limit(1);
    t.ok(first, 'the migrated database has a rule set');
    t.same(await ruleSet(db, first!.id), [{ id: first!.id }], 'rows mapped as the builder maps them');
    t.same(await ruleSet(db, '00000000-0000-4000-8000-000000000000'), [], 'the same statement with another value');
    await db.transaction(async (tx) => {
      await executePrepared(tx, sql`DELETE FROM prepared_probe`);
      t.equal((await queryRows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM prepared_probe`))[0]!.n, 0, 'seen inside the transaction');
      t.same(await ruleSet(tx as unknown as typeof db, first!.id), [{ id: first!.id }], 'a builder on the transaction runs on it');
      // PGlite has one connection, which the transaction holds: only PostgreSQL can look from outside.
      if (kind === 'postgres') t.equal(await count(), 7, 'and not yet outside it');
    });
    t.equal(await count(), 0, 'committed with it');
  });
}
