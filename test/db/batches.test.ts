import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { chunks, recordset } from '../../src/db/batches.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';

t.test('chunks: in order, the last one short, none when empty', async (t) => {
  t.same(chunks([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  t.same(chunks([], 2), []);
  t.equal(chunks(Array.from({ length: 12_000 }, (_, i) => i)).length, 3, 'batches of 5000 by default');
});

for (const kind of dbKinds()) {
  t.test(`recordset on ${kind}: rows as a table, as json or jsonb`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(() => fresh.drop());
    const rows = [
      { id: 1, name: 'Zoë', tags: ['a', 'b'], at: null },
      { id: 2, name: "O'Neill", tags: [], at: '2025-06-02' },
    ];
    for (const as of ['json', 'jsonb'] as const) {
      const read = await queryRows<{ id: number; name: string; tags: string[]; at: string | null }>(
        fresh.database.db,
        sql`SELECT id, name, tags, at::text AS at FROM ${recordset(rows, 'r', sql`id int, name text, tags text[], at date`, as)} ORDER BY id`,
      );
      t.same(read, rows, as);
    }
  });
}
