import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { dbKinds } from '../helpers/database.ts';
import { databaseBefore } from '../helpers/old-database.ts';

for (const kind of dbKinds()) {
  t.test(`${kind}: the word table starts with the words of the entries already on the register`, async (t) => {
    const { database, drop } = await databaseBefore(kind, '0020_search_at_scale');
    t.teardown(drop);
    const db = database.db;
    await db.execute(sql`
      WITH u AS (INSERT INTO users (email, full_name) VALUES ('a@example.org', 'Zoë Ellis'), ('b@example.org', 'Ellis Jones'), ('c@example.org', 'Quentin Applicant') RETURNING id, full_name)
      INSERT INTO mediators (user_id, full_name, organisation, languages, status)
      SELECT id, full_name, CASE WHEN full_name = 'Zoë Ellis' THEN 'Ellis Mediation' END, '{en-GB,cy}', CASE WHEN full_name LIKE 'Quentin%' THEN NULL ELSE 'accredited' END::mediator_status FROM u`);

    await migrateDatabase(database);

    const words = await queryRows<{ word: string; entries: number }>(db, sql`SELECT word, entries FROM register_name_words ORDER BY word`);
    t.same(
      words.map((w) => [w.word, w.entries]),
      [
        ['ellis', 2],
        ['jones', 1],
        ['mediation', 1],
        ['zoe', 1],
      ],
      'each word once per entry, none of someone not on the register',
    );
    const [row] = await queryRows<{ languageTags: string[] }>(db, sql`SELECT language_tags AS "languageTags" FROM mediators WHERE full_name = 'Zoë Ellis'`);
    t.same([...row!.languageTags].sort(), ['cy', 'en', 'en-gb'], 'language tags and their prefixes, lower case');
  });
}
