import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { createLogService } from '../../src/modules/audit/log-service.ts';
import { createSealer } from '../../src/modules/audit/sealer.ts';
import { recordAudit } from '../../src/modules/audit/audit-service.ts';
import { logKey } from '../../src/lib/audit-signing-key.ts';
import { systemContext } from '../../src/lib/context.ts';
import { AUDIT_SIGNING_KEY } from '../helpers/app.ts';
import { dbKinds } from '../helpers/database.ts';
import { databaseBefore } from '../helpers/old-database.ts';

for (const kind of dbKinds()) {
  t.test(`${kind}: a chained trail written before the log becomes its first leaves, in the order written`, async (t) => {
    const { database, drop } = await databaseBefore(kind, '0019_transparency_log');
    t.teardown(drop);
    const db = database.db;
    // Three events as the chained code wrote them (the hashes are not checked any more).
    for (const n of [1, 2, 3]) {
      await db.execute(sql`INSERT INTO audit_events (occurred_at, actor_type, action, entity_type, entity_id, after, prev_hash, hash)
        VALUES (${`2026-11-0${n}T10:00:00.000Z`}, 'system', 'old.event', 'thing', ${`old-${n}`}, ${JSON.stringify({ n })}::jsonb, ${String(n - 1).repeat(64)}, ${String(n).repeat(64)})`);
    }

    await migrateDatabase(database);

    const key = logKey(AUDIT_SIGNING_KEY);
    await db.transaction((tx) => recordAudit(tx, systemContext('after-upgrade'), { action: 'new.event', entityType: 'thing', entityId: 'new-1', after: { fullName: 'Ann Example' } }));
    const sealer = createSealer({ db, key, onError: (err) => t.error(err) });
    t.match(await sealer.seal({ checkpoint: 'now' }), { sealer: true, sealed: 4, signed: 4 });
    const leaves = await queryRows<{ leaf: number; entityId: string }>(
      db,
      sql`SELECT l.leaf_index AS leaf, e.entity_id AS "entityId" FROM audit_leaves l JOIN audit_events e USING (seq) ORDER BY leaf_index`,
    );
    t.same(
      leaves.map((l) => l.entityId),
      ['old-1', 'old-2', 'old-3', 'new-1'],
      'old events first, in seq order, then the new one',
    );
    t.match(await createLogService({ db, key }).verify(), { valid: true, checked: 4, treeSize: 4, unsealedEvents: 0 });
  });
}
