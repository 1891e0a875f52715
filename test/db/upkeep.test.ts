import t from 'tap';
import { queryRows, sql, type Db } from '../../src/db/client.ts';
import { vacuumIfEmbedded } from '../../src/db/upkeep.ts';
import { createComplianceJob } from '../../src/modules/compliance/compliance-job.ts';
import { testClock } from '../helpers/app.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';

/** A table's pages, and how many the visibility map marks all-visible (only a VACUUM marks them). */
const pages = async (db: Db, table = 'upkeep_probe') => {
  const [row] = await queryRows<{ pages: number; visible: number }>(db, sql`SELECT relpages AS pages, relallvisible AS visible FROM pg_class WHERE relname = ${table}`);
  return row!;
};

/** A table written to, its dead rows left behind and never vacuumed. */
const probe = async (db: Db, table = 'upkeep_probe') => {
  const name = sql.identifier(table);
  await db.execute(sql`CREATE TABLE ${name} (n int PRIMARY KEY, note text)`);
  await db.execute(sql`INSERT INTO ${name} SELECT i, repeat('x', 100) FROM generate_series(1, 5000) i`);
  await db.execute(sql`UPDATE ${name} SET note = 'changed' WHERE n % 2 = 0`);
  await db.execute(sql`ANALYZE ${name}`);
};

for (const kind of dbKinds()) {
  t.test(`vacuumIfEmbedded on ${kind}`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(() => fresh.drop());
    const { db } = fresh.database;
    await probe(db);
    if (kind === 'pglite') {
      t.equal(await vacuumIfEmbedded(db), true, 'PGlite has no autovacuum: vacuumed here');
      const after = await pages(db);
      t.ok(after.pages > 0 && after.visible === after.pages, `every page all-visible after it (${after.visible} of ${after.pages})`);
    } else {
      t.equal(await vacuumIfEmbedded(db), false, 'a server: left to its autovacuum');
    }
  });
}

t.test('the daily run vacuums the embedded database once per date, after the run', async (t) => {
  const fresh = await freshDatabase('pglite');
  t.teardown(() => fresh.drop());
  const { db } = fresh.database;
  await probe(db);
  t.equal((await pages(db)).visible, 0, 'never vacuumed');
  // Today is the 3rd: the 2nd's run first, then (after a repeat of it) the 3rd's.
  const upkeepErrors: unknown[] = [];
  const job = createComplianceJob({ db, clock: testClock('2026-06-03T10:00:00Z'), removedVisibleYears: 5, onUpkeepError: (err) => upkeepErrors.push(err) });
  await job.runCompliance('2026-06-02');
  const vacuumed = await pages(db);
  t.equal(vacuumed.visible, vacuumed.pages, 'the run vacuumed it');
  await probe(db, 'upkeep_later');
  t.equal((await job.runCompliance('2026-06-02')).alreadyRun, true, 'a repeat');
  t.equal((await pages(db, 'upkeep_later')).visible, 0, 'a repeat for the same date does not vacuum again');
  await job.runCompliance('2026-06-03');
  const next = await pages(db, 'upkeep_later');
  t.equal(next.visible, next.pages, "the next date's run does");
  t.same(upkeepErrors, []);
});

t.test('a failing upkeep step is reported; the run stands and the other steps still run', async (t) => {
  const fresh = await freshDatabase('pglite');
  t.teardown(() => fresh.drop());
  const { db } = fresh.database;
  await probe(db);
  // The word table's recount, the first step, fails.
  await db.execute(sql`DROP FUNCTION register_recount_words()`);
  const upkeepErrors: unknown[] = [];
  const job = createComplianceJob({ db, clock: testClock('2026-06-03T10:00:00Z'), removedVisibleYears: 5, onUpkeepError: (err) => upkeepErrors.push(err) });
  const run = await job.runCompliance('2026-06-03');
  t.same([run.alreadyRun, run.error, run.finishedAt !== null], [false, null, true], 'the run answers as done');
  t.match(upkeepErrors, [{ message: /register_recount_words/ }], 'the failure is reported');
  const after = await pages(db);
  t.equal(after.visible, after.pages, 'the vacuum after it still ran');
  t.equal((await job.runCompliance('2026-06-03')).alreadyRun, true, 'a repeat finds the run recorded');
});
