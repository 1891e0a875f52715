import t from 'tap';
import { openDatabase, queryRows, sql } from '../../src/db/client.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';

if (!dbKinds().includes('postgres')) t.pass('PostgreSQL only (TEST_DATABASE_URL)');
else {
  t.test('a connection lost as a transaction begins goes back to the pool, and the cause is reported', async (t) => {
    const fresh = await freshDatabase('postgres');
    t.teardown(() => fresh.drop());
    // One connection: a leaked one would leave the next transaction waiting for the acquire timeout.
    const database = await openDatabase({ kind: 'postgres', url: fresh.url!, poolMax: 1, limits: { statementTimeoutMs: 5000, idleInTransactionTimeoutMs: 5000, acquireTimeoutMs: 2000 } });
    t.teardown(() => database.close());
    const pool = database.pool!;
    const connect = pool.connect.bind(pool);
    // The next connection handed out loses its backend before BEGIN is sent.
    pool.connect = (async () => {
      const client = await connect();
      const ended = new Promise((resolve) => client.once('end', resolve));
      await fresh.database.db.execute(sql`SELECT pg_terminate_backend(${(client as unknown as { processID: number }).processID})`);
      await ended;
      pool.connect = connect;
      return client;
    }) as typeof pool.connect;

    const failed = await database.db.transaction(async () => 'never').catch((err: Error) => err);
    t.type(failed, Error, 'the transaction fails');
    t.match(String((failed as Error & { cause?: Error }).cause ?? failed), /terminat|Connection|closed/i, 'with the lost connection as its cause');
    const [row] = await database.db.transaction((tx) => queryRows<{ ok: number }>(tx, sql`SELECT 1 AS ok`));
    t.same(row, { ok: 1 }, 'the pool still has its connection');
    t.equal(pool.totalCount, 1);
  });
}
