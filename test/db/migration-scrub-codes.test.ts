import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { dbKinds } from '../helpers/database.ts';
import { databaseBefore } from '../helpers/old-database.ts';

for (const kind of dbKinds()) {
  t.test(`${kind}: codes in messages sent or given up before the outbox dropped them are scrubbed`, async (t) => {
    const { database, drop } = await databaseBefore(kind, '0018_scrub_sent_codes');
    t.teardown(drop);
    const db = database.db;
    const message = (recipient: string, data: object, state: string) =>
      db.execute(sql`INSERT INTO notifications (recipient, template, data, attempts, sent_at)
        VALUES (${recipient}, 'claim_account', ${JSON.stringify(data)}::jsonb, ${state === 'given up' ? 10 : state === 'sent' ? 1 : 2},
                ${state === 'sent' ? sql`now()` : sql`NULL`})`);
    await message('sent@example.org', { fullName: 'Sent', token: 'SECRET-SENT', expiresOn: '2026-12-31' }, 'sent');
    await message('failed@example.org', { fullName: 'Failed', link: 'https://r.example/account/claim?code=SECRET-FAILED' }, 'given up');
    await message('waiting@example.org', { fullName: 'Waiting', link: 'https://r.example/account/claim?code=SECRET-WAITING' }, 'retrying');

    await migrateDatabase(database);

    const rows = await queryRows<{ recipient: string; data: Record<string, unknown> }>(db, sql`SELECT recipient, data FROM notifications ORDER BY recipient`);
    t.same(
      rows.map((r) => [r.recipient, r.data]),
      [
        ['failed@example.org', { fullName: 'Failed' }],
        ['sent@example.org', { fullName: 'Sent', expiresOn: '2026-12-31' }],
        ['waiting@example.org', { fullName: 'Waiting', link: 'https://r.example/account/claim?code=SECRET-WAITING' }],
      ],
      'the code goes from sent and given-up messages; one still to be sent keeps it for its next try',
    );
  });
}
