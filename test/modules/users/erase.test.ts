import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { queryRows, sql, type Db } from '../../../src/db/client.ts';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import type { EntryStatus } from '../../../src/domain/vocabulary.ts';
import { approvedProvider, completeDraft } from '../../helpers/applications.ts';
import { buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';

// RFC 9162 §2.1.4.2, written from the RFC rather than taken from the code under test.
const nodeHash = (left: Buffer, right: Buffer) =>
  createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();

function consistent(first: number, second: number, firstHash: Buffer, secondHash: Buffer, proof: Buffer[]): boolean {
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (first === 0 || first > second || proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstHash, ...proof] : proof;
  let fn = first - 1;
  let sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn & 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!(fn & 1)) {
        do {
          fn >>= 1;
          sn >>= 1;
        } while (!(fn & 1) && fn !== 0);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
}

/** Tree size and root hash of the newest signed checkpoint, read from the public note. */
async function checkpoint(ta: TestApp): Promise<{ size: number; root: Buffer }> {
  const res = await ta.request({ method: 'GET', url: '/v1/transparency/checkpoint' });
  const [, size, root] = res.body.split('\n');
  return { size: Number(size), root: Buffer.from(root!, 'base64') };
}

/** Every leaf's inclusion proof in the tree of `size`: hash, path and canonical bytes. */
async function proofs(ta: TestApp, token: string, size: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let i = 0; i < size; i++) out.push((await ta.request({ method: 'GET', url: `/v1/admin/audit/${i}/proof?treeSize=${size}`, token })).json());
  return out;
}

/**
 * Seals until every event is a leaf and signs the checkpoint. On a shared PostgreSQL server a
 * transaction still running in another database holds the snapshot's xmin, and so sealing, back.
 */
async function sealAll(ta: TestApp) {
  for (let tries = 0; ; tries++) {
    await ta.seal();
    const [row] = await queryRows<{ unsealed: number }>(ta.database.db, sql`SELECT (SELECT count(*) FROM audit_events) - (SELECT count(*) FROM audit_leaves) AS unsealed`);
    if (Number(row!.unsealed) === 0) return;
    if (tries === 200) throw new Error(`${row!.unsealed} events left unsealed`);
    await sleep(50);
  }
}

const auditCount = async (db: Db) => (await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM audit_events`))[0]!.n;

/** Where a text still appears: kept audit values, accounts, profiles, outbox, pending registrations. */
async function traces(db: Db, text: string): Promise<Record<string, number>> {
  const like = `%${text}%`;
  const [row] = await queryRows<Record<string, number>>(
    db,
    sql`SELECT (SELECT count(*)::int FROM audit_personal_values WHERE value ILIKE ${like}) AS "auditValues",
               (SELECT count(*)::int FROM users WHERE email::text ILIKE ${like} OR full_name ILIKE ${like}) AS users,
               (SELECT count(*)::int FROM mediators WHERE full_name ILIKE ${like} OR organisation ILIKE ${like} OR contact_email ILIKE ${like}) AS mediators,
               (SELECT count(*)::int FROM notifications WHERE recipient ILIKE ${like} OR data::text ILIKE ${like}) AS notifications,
               (SELECT count(*)::int FROM pending_registrations WHERE email::text ILIKE ${like} OR full_name ILIKE ${like}) AS pending`,
  );
  return row!;
}

const erase = (ta: TestApp, token: string, id: string, payload: object = { reason: 'Erasure request DSR-2025-014' }) =>
  ta.request({ method: 'POST', url: `/v1/admin/users/${id}/erase`, token, payload });

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const db = ta.database.db;
  const registrar = await ta.staff('registrar');

  await t.test('an applicant with no entry is erased; the log, its proofs and checkpoints stay valid', async (t) => {
    const m = await ta.mediator('erin.example@example.org', 'Erin Example');
    const profile = await ta.request({
      method: 'PATCH',
      url: '/v1/me/profile',
      token: m.token,
      payload: { organisation: 'Example Family Mediation', contactEmail: 'erin@example-mediation.org', contactPhone: '+44 20 7946 0001' },
    });
    t.equal(profile.statusCode, 200);
    const application = (await ta.request({ method: 'POST', url: '/v1/applications', token: m.token })).json().id as string;
    const evidence = await ta.request({
      method: 'PUT',
      url: `/v1/applications/${application}/criteria/foundation_training`,
      token: m.token,
      payload: { provider: 'Erin Example Academy', completedOn: '2024-10-01', hours: 40, assessedByRolePlay: true, assessedByWrittenAssignment: true },
    });
    t.equal(evidence.statusCode, 200);
    await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: 'not the password at all' } });
    t.equal((await ta.request({ method: 'POST', url: '/v1/auth/password-reset', payload: { email: m.email } })).statusCode, 202);
    const other = await ta.mediator('someone.else@example.org', 'Someone Else');

    await sealAll(ta);
    const saved = await checkpoint(ta);
    t.equal(saved.size, await auditCount(db), 'every event sealed');
    const before = await proofs(ta, registrar.token, saved.size);
    const registered = async () => (await ta.request({ method: 'GET', url: `/v1/admin/audit?entityType=user&entityId=${m.userId}&action=user.registered`, token: registrar.token })).json().items[0];
    t.match((await registered()).after, { email: 'erin.example@example.org', fullName: 'Erin Example' });

    const res = await erase(ta, registrar.token, m.userId);
    t.equal(res.statusCode, 200, res.body);
    const { user, auditValuesErased } = res.json();
    t.match(user, { id: m.userId, email: `erased-${m.userId}@erased.invalid`, fullName: '[erased]', role: 'mediator', claimed: false });
    t.ok(user.disabledAt, 'disabled');
    // Email and name at registration; name, organisation, contact email and phone in the profile change.
    t.equal(auditValuesErased, 7, 'values erased from the trail');

    t.match((await registered()).after, { id: m.userId, email: '[erased]', fullName: '[erased]', role: 'mediator', emailVerified: true });
    const profileEvent = (await ta.request({ method: 'GET', url: `/v1/admin/audit?entityType=mediator&entityId=${m.mediatorId}`, token: registrar.token })).json().items[0];
    t.match(profileEvent, { action: 'mediator.profile_updated', after: { fullName: '[erased]', organisation: '[erased]', contactEmail: '[erased]', contactPhone: '[erased]' } });
    const erasedEvent = (await ta.request({ method: 'GET', url: `/v1/admin/audit?action=user.erased`, token: registrar.token })).json().items;
    t.match(erasedEvent, [{ actor: { id: registrar.userId, role: 'registrar' }, entityId: m.userId, after: { reason: 'Erasure request DSR-2025-014', mediatorId: m.mediatorId, auditValuesErased } }]);
    t.notMatch(JSON.stringify(erasedEvent), /Erin|erin\.example/, 'the erasure event names nobody');

    for (const text of ['erin.example@example.org', 'Erin Example', 'Example Family Mediation', 'erin@example-mediation.org', '7946 0001']) {
      t.same(await traces(db, text), { auditValues: 0, users: 0, mediators: 0, notifications: 0, pending: 0 }, `no trace of ${text}`);
    }
    const [kept] = await queryRows<Record<string, unknown>>(
      db,
      sql`SELECT (SELECT count(*)::int FROM refresh_tokens WHERE user_id = ${m.userId}) AS "refreshTokens",
                 (SELECT count(*)::int FROM password_resets WHERE user_id = ${m.userId}) AS resets,
                 (SELECT password_hash FROM users WHERE id = ${m.userId}) AS "passwordHash",
                 (SELECT evidence FROM applications WHERE id = ${application}) AS evidence,
                 (SELECT status FROM applications WHERE id = ${application}) AS "applicationStatus"`,
    );
    t.same(kept, { refreshTokens: 0, resets: 0, passwordHash: null, evidence: {}, applicationStatus: 'draft' }, 'secrets and evidence gone; the status stays');
    t.same(await traces(db, 'Someone Else'), { auditValues: 1, users: 1, mediators: 1, notifications: 2, pending: 0 }, 'another person keeps their data');

    await sealAll(ta);
    const verify = (await ta.request({ method: 'GET', url: '/v1/admin/audit/verify', token: registrar.token })).json();
    t.match(verify, { valid: true, firstProblem: null, checked: await auditCount(db) });
    t.same(await proofs(ta, registrar.token, saved.size), before, 'every earlier leaf hash, path and canonical bytes unchanged');

    const now = await checkpoint(ta);
    t.ok(now.size > saved.size);
    const consistency = await ta.request({ method: 'GET', url: `/v1/transparency/consistency?from=${saved.size}&to=${now.size}` });
    const path = consistency.json().hashes.map((h: string) => Buffer.from(h, 'base64'));
    t.ok(consistent(saved.size, now.size, saved.root, now.root, path), 'the new checkpoint extends the saved one (RFC 9162)');

    t.equal((await ta.request({ method: 'GET', url: '/v1/me', token: m.token })).statusCode, 401, 'their access token stopped');
    const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: PASSWORD } });
    t.match([login.statusCode, login.json().code], [401, 'invalid-credentials'], 'they cannot sign in');

    const again = await ta.mediator(m.email, 'Erin Example');
    t.not(again.userId, m.userId, 'the address registers a new account');
    t.equal((await ta.request({ method: 'GET', url: '/v1/me', token: again.token })).json().email, 'erin.example@example.org');
    t.ok(other.userId);

    const events = await auditCount(db);
    const twice = await erase(ta, registrar.token, m.userId, { reason: 'Asked again' });
    t.equal(twice.statusCode, 200, 'erasing again is harmless');
    t.same(twice.json(), { user, auditValuesErased: 0 });
    t.equal(await auditCount(db), events, 'and writes nothing');
  });

  await t.test('a staff account with no entry can be erased by another registrar', async (t) => {
    const assessor = await ta.staff('assessor');
    const res = await erase(ta, registrar.token, assessor.userId);
    t.equal(res.statusCode, 200);
    t.match(res.json().user, { role: 'assessor', fullName: '[erased]' });
    t.equal((await ta.request({ method: 'GET', url: '/v1/me', token: assessor.token })).statusCode, 401);
  });

  await t.test('refused while the register keeps the entry or an application awaits a decision', async (t) => {
    let n = 0;
    /** A mediator whose entry went through `statuses`, each change on its date. */
    const withEntry = async (...history: [EntryStatus, string][]) => {
      const m = await ta.mediator();
      let from: EntryStatus | null = null;
      for (const [to, on] of history) {
        const accreditation =
          from === null ? { route: 'standards_2024' as const, standardsVersion: '2024', body: 'com' as const, membershipNumber: `E${++n}`, firstAccreditedOn: on, complianceStartOn: null } : undefined;
        await writeStatuses(db, [{ id: m.mediatorId, from, to, reason: 'test history', accreditation }], { userId: null, role: 'system' }, new Date(`${on}T12:00:00Z`));
        from = to;
      }
      return m;
    };
    // The test clock stands at 2025-06-02; ERASURE_RETENTION_YEARS is 6.
    const refused = {
      accredited: await withEntry(['accredited', '2015-01-05']),
      'suspended long ago': await withEntry(['accredited', '2015-01-05'], ['suspended', '2016-01-05']),
      'removed five years ago': await withEntry(['accredited', '2015-01-05'], ['removed', '2020-06-01']),
      'lapsed a day short of six years': await withEntry(['accredited', '2015-01-05'], ['lapsed', '2019-06-03']),
    };
    for (const [what, m] of Object.entries(refused)) {
      const before = await traces(db, m.email);
      const res = await erase(ta, registrar.token, m.userId);
      t.match([res.statusCode, res.json().code], [409, 'erasure-not-allowed'], what);
      t.same(await traces(db, m.email), before, `${what}: nothing erased`);
      t.ok(before.users && before.auditValues, `${what}: there was something to erase`);
    }

    for (const [what, m] of Object.entries({
      'removed seven years ago': await withEntry(['accredited', '2010-01-05'], ['removed', '2018-05-01']),
      'lapsed six years and a day ago': await withEntry(['accredited', '2015-01-05'], ['lapsed', '2019-06-01']),
    })) {
      const [{ words }] = (await queryRows(db, sql`SELECT search_words AS words FROM mediators WHERE id = ${m.mediatorId}`)) as [{ words: string[] }];
      const res = await erase(ta, registrar.token, m.userId);
      t.equal(res.statusCode, 200, what);
      const lingering = await queryRows(
        db,
        sql`SELECT w.word FROM register_name_words w WHERE w.word = ANY (${sql.param(words)}::text[]) AND NOT EXISTS (SELECT 1 FROM mediators e WHERE e.status IS NOT NULL AND w.word = ANY (e.search_words))`,
      );
      t.same(lingering, [], `${what}: the search's word table keeps no word of the erased name`);
      const [entry] = await queryRows(db, sql`SELECT full_name AS "fullName", status, membership_number AS "membershipNumber" FROM mediators WHERE id = ${m.mediatorId}`);
      t.match(entry, { fullName: '[erased]', status: /removed|lapsed/, membershipNumber: /^E\d+$/ }, `${what}: the entry keeps its status and number`);
      const [history] = await queryRows(db, sql`SELECT array_agg(DISTINCT reason) AS reasons FROM status_history WHERE mediator_id = ${m.mediatorId}`);
      t.same(history, { reasons: ['[erased]'] });
    }

    const draft = await completeDraft(ta, await approvedProvider(ta, registrar.token));
    t.equal((await draft.submit()).statusCode, 200);
    const res = await erase(ta, registrar.token, draft.mediator.userId);
    t.match([res.statusCode, res.json().code], [409, 'erasure-not-allowed'], 'a submitted application');
  });

  await t.test('who may erase, and what the request must hold', async (t) => {
    const m = await ta.mediator();
    const admin = await ta.staff('admin', 'com');
    t.match((await erase(ta, registrar.token, registrar.userId)).json(), { status: 409, code: 'own-account-change' }, 'not oneself');
    t.equal((await erase(ta, admin.token, m.userId)).statusCode, 403, 'admin');
    t.equal((await erase(ta, m.token, m.userId)).statusCode, 403, 'the mediator themselves');
    t.equal((await ta.request({ method: 'POST', url: `/v1/admin/users/${m.userId}/erase`, payload: { reason: 'no token' } })).statusCode, 401);
    for (const [payload, field] of [
      [{}, 'reason'],
      [{ reason: 'x' }, 'reason'],
      [{ reason: 'long enough', extra: true }, ''],
    ] as const) {
      const res = await erase(ta, registrar.token, m.userId, payload);
      t.equal(res.statusCode, 400, JSON.stringify(payload));
      t.equal(res.json().code, 'validation-failed');
      if (field) t.equal(res.json().errors[0].field, field);
    }
    t.equal((await erase(ta, registrar.token, '00000000-0000-4000-8000-000000000000')).statusCode, 404, 'unknown id');
    t.equal((await erase(ta, registrar.token, 'nope')).statusCode, 400, 'not an id');
    t.equal((await ta.request({ method: 'GET', url: '/v1/me', token: m.token })).statusCode, 200, 'nothing happened to them');
  });
});
