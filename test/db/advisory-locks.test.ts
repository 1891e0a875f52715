import t from 'tap';
import { queryRows, sql, type Queryable } from '../../src/db/client.ts';
import { LOCK_KEYS, lockForTransaction } from '../../src/db/advisory-locks.ts';
import { BODIES } from '../../src/domain/vocabulary.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';

t.test('lock keys: no two uses share one', async (t) => {
  const keys = Object.values(LOCK_KEYS).flatMap((k) => (typeof k === 'number' ? [k] : Object.values(k)));
  t.equal(new Set(keys).size, keys.length);
  t.same(Object.keys(LOCK_KEYS.imports).sort(), [...BODIES].sort(), 'one import lock per body');
});

for (const kind of dbKinds()) {
  t.test(`lockForTransaction on ${kind}: held in the mode asked until the transaction ends`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(() => fresh.drop());
    const db = fresh.database.db;
    // Advisory locks in this (fresh) database; pg_locks splits a bigint key into its high and low 32 bits.
    const held = (q: Queryable) =>
      queryRows<{ key: string; mode: string }>(
        q,
        sql`SELECT ((classid::bigint << 32) | objid::bigint)::text AS key, mode FROM pg_locks
            WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY mode`,
      );
    await db.transaction(async (tx) => {
      await lockForTransaction(tx, LOCK_KEYS.settings);
      await lockForTransaction(tx, LOCK_KEYS.complianceRun, 'shared');
      t.same(await held(tx), [
        { key: String(LOCK_KEYS.settings), mode: 'ExclusiveLock' },
        { key: String(LOCK_KEYS.complianceRun), mode: 'ShareLock' },
      ]);
    });
    t.same(await held(db), [], 'released at commit');
  });
}
