import { cliVerify } from '../../helpers/audit.ts';
import t from 'tap';
import { openDatabase, queryRows, sql, type Db } from '../../../src/db/client.ts';
import { systemContext } from '../../../src/lib/context.ts';
import { recordAudit } from '../../../src/modules/audit/audit-service.ts';
import { createLogService } from '../../../src/modules/audit/log-service.ts';
import { buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';

/** The database's own message for a statement that must fail (drizzle wraps it as the cause). */
async function failure(statement: Promise<unknown>): Promise<string> {
  try {
    await statement;
  } catch (err) {
    const e = err as { message: string; cause?: { message: string } };
    return e.cause?.message ?? e.message;
  }
  return 'it succeeded';
}

const auditCount = async (db: Db) => (await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM audit_events`))[0]!.n;

/** Account activity of every kind through the API: register, logins good and bad, a role change, logout. */
async function mixedWorkload(ta: TestApp, registrarToken: string) {
  for (let i = 0; i < 3; i++) {
    const m = await ta.mediator();
    await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: 'not the password at all' } });
    const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });
    await ta.request({ method: 'POST', url: '/v1/auth/logout', token: login.json().accessToken, payload: { refreshToken: login.json().refreshToken } });
    if (i === 0) await ta.request({ method: 'PUT', url: `/v1/admin/users/${m.userId}/role`, token: registrarToken, payload: { role: 'assessor', reason: 'joins the panel' } });
  }
}

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  const registrar = await ta.staff('registrar');
  await mixedWorkload(ta, registrar.token);

  await t.test('verification passes after a mixed workload, by endpoint and CLI', async (t) => {
    const sealed = await ta.seal();
    t.match(sealed, { sealer: true, signed: await auditCount(db) });
    const res = await ta.request({ method: 'GET', url: '/v1/admin/audit/verify', token: registrar.token });
    t.equal(res.statusCode, 200);
    const total = await auditCount(db);
    t.match(res.json(), { valid: true, checked: total, treeSize: total, unsealedEvents: 0, firstProblem: null });
    t.match(res.json().checkpoint, new RegExp(`^${ta.auditKey.origin}\n${total}\n[A-Za-z0-9+/]{43}=\n\n— ${ta.auditKey.origin} `));
    t.ok(res.json().checked >= 16, 'every kind of account event went into the log');
    if (ta.databaseUrl) {
      const cli = await cliVerify(ta.databaseUrl, ta.auditKey);
      t.equal(cli.code, 0);
      t.match(cli.out, `Audit log intact: ${total} leaves recomputed.`);
      t.match(cli.out, res.json().checkpoint);
    }
  });

  await t.test('verification reads the log in batches', async (t) => {
    const log = createLogService({ db, key: ta.auditKey });
    t.same(await log.verify({ batchSize: 3 }), await log.verify(), 'batches of 3 agree with one batch');
  });

  await t.test('only the registrar reads the trail', async (t) => {
    const admin = await ta.staff('admin', 'com');
    const m = await ta.mediator();
    for (const url of ['/v1/admin/audit', '/v1/admin/audit/verify']) {
      t.equal((await ta.request({ method: 'GET', url, token: admin.token })).statusCode, 403, `admin: ${url}`);
      t.equal((await ta.request({ method: 'GET', url, token: m.token })).statusCode, 403, `mediator: ${url}`);
      t.equal((await ta.request({ method: 'GET', url })).statusCode, 401, `anonymous: ${url}`);
    }
  });

  await t.test('the list: newest first, filters, keyset pages, no secrets', async (t) => {
    const target = await ta.mediator('audited@example.org', 'Audited Person');
    await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: target.email, password: 'not the password at all' } });
    const byEntity = await ta.request({ method: 'GET', url: `/v1/admin/audit?entityType=user&entityId=${target.userId}`, token: registrar.token });
    t.equal(byEntity.statusCode, 200);
    t.same(
      byEntity.json().items.map((e: { action: string }) => e.action),
      ['auth.login_failed', 'auth.login', 'user.registered'],
      'newest first',
    );
    const registered = byEntity.json().items[2];
    t.match(registered, { actor: { type: 'user', id: target.userId, role: 'mediator' }, entityType: 'user', after: { email: 'audited@example.org' } });
    t.match(registered.occurredAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    t.notMatch(JSON.stringify(byEntity.json()), /passwordHash|\$argon2/, 'no password hashes');

    const byActor = await ta.request({ method: 'GET', url: `/v1/admin/audit?actorId=${registrar.userId}&action=user.role_changed`, token: registrar.token });
    t.equal(byActor.json().items.length, 1);
    t.match(byActor.json().items[0], { actor: { type: 'user', id: registrar.userId, role: 'registrar' }, before: { role: 'mediator' }, after: { role: 'assessor', reason: 'joins the panel' } });

    const total = await auditCount(db);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await ta.request({ method: 'GET', url: `/v1/admin/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`, token: registrar.token });
      t.equal(res.statusCode, 200);
      seen.push(...res.json().items.map((e: { seq: number }) => e.seq));
      cursor = res.json().nextCursor;
    } while (cursor);
    t.equal(seen.length, total, 'every event once');
    t.same(
      seen,
      [...seen].sort((a, b) => b - a),
      'in descending seq order',
    );
    t.equal(new Set(seen).size, total);
  });

  await t.test('date range in London days', async (t) => {
    const [{ day }] = (await queryRows<{ day: string }>(db, sql`SELECT to_char(max(occurred_at) AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS day FROM audit_events`)) as [{ day: string }];
    const today = await ta.request({ method: 'GET', url: `/v1/admin/audit?from=${day}&to=${day}&limit=100`, token: registrar.token });
    t.ok(today.json().items.length > 0, 'events of the day they happened');
    const before = await ta.request({ method: 'GET', url: `/v1/admin/audit?to=2020-01-01`, token: registrar.token });
    t.same(before.json(), { items: [], nextCursor: null });
    const backwards = await ta.request({ method: 'GET', url: `/v1/admin/audit?from=2025-02-01&to=2025-01-01`, token: registrar.token });
    t.equal(backwards.statusCode, 400);
    t.equal(backwards.json().errors[0].field, 'from');
    for (const bad of ['cursor=nope', `cursor=${Buffer.from('["x"]').toString('base64url')}`, 'from=2025-02-30', 'actorId=1', 'limit=101', 'zz=1']) {
      const res = await ta.request({ method: 'GET', url: `/v1/admin/audit?${bad}`, token: registrar.token });
      t.equal(res.statusCode, 400, bad);
    }
  });

  await t.test('UPDATE, DELETE and TRUNCATE on the log are refused by the database', async (t) => {
    for (const statement of [sql`UPDATE audit_events SET action = 'x' WHERE seq = 1`, sql`DELETE FROM audit_events WHERE seq = 1`, sql`TRUNCATE audit_events CASCADE`]) {
      t.match(await failure(db.execute(statement)), /append-only: (UPDATE|DELETE|TRUNCATE) refused/);
    }
    for (const table of ['audit_leaves', 'audit_tree_nodes', 'audit_checkpoints']) {
      t.match(
        await failure(db.execute(sql.raw(`UPDATE ${table} SET ${table === 'audit_leaves' ? 'seq = seq' : table === 'audit_tree_nodes' ? 'hash = hash' : 'note = note'}`))),
        new RegExp(`${table} is append-only: UPDATE refused`),
      );
      t.match(await failure(db.execute(sql.raw(`DELETE FROM ${table}`))), new RegExp(`${table} is append-only: DELETE refused`));
    }
  });

  if (kind === 'postgres') {
    await t.test('20 concurrent writers, from two pools: every event sealed once, no gaps', async (t) => {
      const other = await openDatabase({ kind: 'postgres', url: ta.databaseUrl!, poolMax: 10 });
      t.teardown(() => other.close());
      const before = await auditCount(db);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? other.db : db).transaction((tx) =>
            recordAudit(tx, systemContext(`writer-${i}`), ...Array.from({ length: 5 }, (_, j) => ({ action: 'test.write', entityType: 'writer', entityId: `${i}-${j}` }))),
          ),
        ),
      );
      t.equal(await auditCount(db), before + 100);
      await ta.seal();
      const [leaves] = await queryRows<{ n: number; max: number; seqs: number }>(db, sql`SELECT count(*)::int AS n, max(leaf_index)::int AS max, count(DISTINCT seq)::int AS seqs FROM audit_leaves`);
      t.same(leaves, { n: before + 100, max: before + 99, seqs: before + 100 }, 'leaves 0..n-1, each event once');
      const res = await ta.request({ method: 'GET', url: '/v1/admin/audit/verify', token: registrar.token });
      t.match(res.json(), { valid: true, checked: before + 100 });
    });
  }

  // Last: it leaves the log broken.
  await t.test('an event altered by a superuser with the trigger disabled is named', async (t) => {
    await ta.seal();
    const [victim] = await queryRows<{ seq: number; leaf: number }>(db, sql`SELECT e.seq, l.leaf_index AS leaf FROM audit_events e JOIN audit_leaves l USING (seq) WHERE action = 'user.role_changed'`);
    await db.execute(sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    await db.execute(sql`UPDATE audit_events SET after = jsonb_set(after, '{role}', '"registrar"') WHERE seq = ${victim!.seq}`);
    await db.execute(sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);

    const res = await ta.request({ method: 'GET', url: '/v1/admin/audit/verify', token: registrar.token });
    t.equal(res.statusCode, 200);
    t.match(res.json(), { valid: false, checked: victim!.leaf, checkpoint: null, firstProblem: { problem: 'event_altered', leafIndex: victim!.leaf, seq: victim!.seq } });
    if (ta.databaseUrl) {
      const cli = await cliVerify(ta.databaseUrl, ta.auditKey);
      t.equal(cli.code, 1, 'the CLI exits non-zero');
      t.match(cli.out, `Audit log check failed (event_altered): Leaf ${victim!.leaf} does not match its event`);
    }
    t.match(await failure(db.execute(sql`DELETE FROM audit_events WHERE seq = ${victim!.seq}`)), /append-only/, 'the trigger is back on');
  });
});
