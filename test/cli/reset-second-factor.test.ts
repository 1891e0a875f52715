import t from 'tap';
import { openDatabase, queryRows, sql } from '../../src/db/client.ts';
import { cli } from './cli-context.ts';
import { migratedDataDir } from './cli-process.ts';

t.test('reset-second-factor: the way back for the last registrar who lost their device and recovery codes', async (t) => {
  const dataDir = await migratedDataDir(t);
  const env = { DATA_DIR: dataDir };
  let database = await openDatabase({ kind: 'pglite', dataDir });
  const [user] = await queryRows<{ id: string }>(
    database.db,
    sql`INSERT INTO users (email, full_name, role, password_hash, totp_secret, totp_enabled_at)
        VALUES ('only.registrar@example.org', 'Only Registrar', 'registrar', 'x', 'sealed', now()) RETURNING id`,
  );
  await database.db.execute(sql`INSERT INTO recovery_codes (user_id, code_hash) VALUES (${user!.id}, 'h1'), (${user!.id}, 'h2')`);
  await database.db.execute(sql`INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at) VALUES (${user!.id}, gen_random_uuid(), 'r1', now() + interval '1 day')`);
  await database.close();

  const unknown = await cli(['reset-second-factor', '--email', 'nobody@example.org'], env);
  t.equal(unknown.code, 1);
  t.equal(unknown.stderr, 'No account has the email nobody@example.org.\n');

  const done = await cli(['reset-second-factor', '--email', 'Only.Registrar@Example.org'], env);
  t.equal(done.code, 0, done.stderr);
  t.equal(done.stdout, 'Second factor of only.registrar@example.org turned off; their sessions have ended. They sign in with their password and enrol again.\n');

  const again = await cli(['reset-second-factor', '--email', 'only.registrar@example.org'], env);
  t.equal(again.code, 1, 'nothing left to reset');
  t.match(again.stderr, /second factor/i);

  database = await openDatabase({ kind: 'pglite', dataDir });
  t.teardown(() => database.close());
  const [after] = await queryRows<{ secret: string | null; enabled: string | null; codes: number; live: number; audited: number }>(
    database.db,
    sql`SELECT totp_secret AS secret, totp_enabled_at AS enabled,
               (SELECT count(*)::int FROM recovery_codes WHERE user_id = u.id) AS codes,
               (SELECT count(*)::int FROM refresh_tokens WHERE user_id = u.id AND revoked_at IS NULL) AS live,
               (SELECT count(*)::int FROM audit_events WHERE action = 'auth.totp_reset' AND entity_id = u.id::text AND actor_type = 'system') AS audited
          FROM users u WHERE id = ${user!.id}`,
  );
  t.same(after, { secret: null, enabled: null, codes: 0, live: 0, audited: 1 });
});
