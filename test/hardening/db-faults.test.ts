import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.ts';
import { openDatabase, queryRows, sql } from '../../src/db/client.ts';
import { LOCK_KEYS } from '../../src/db/advisory-locks.ts';
import { createOutboxSender } from '../../src/modules/notifications/outbox-sender.ts';
import { toProblem } from '../../src/plugins/errors.ts';
import { databaseTarget } from '../../src/runtime.ts';
import { buildTestApp, JWT_SECRET, AUDIT_SIGNING_KEY, PASSWORD, STATEMENT_SIGNING_KEY, testConfig, type TestApp } from '../helpers/app.ts';
import { holdLock, tablesWritten, terminateBackend, waitingBackend } from '../helpers/backends.ts';
import { accredit } from '../helpers/compliance.ts';
import { mailedSecret } from '../helpers/mail.ts';
import { startServer } from '../helpers/server-process.ts';

const needsPostgres =
  !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL: PGlite runs inside this process on one connection, with no backend to terminate, no pool to exhaust and no second session to hold a lock';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** The in-flight request's answer when the database fails it: 503 problem+json, when to retry, nothing internal. */
function isUnavailable(t: Test, res: Answer) {
  t.equal(res.statusCode, 503, 'answers 503');
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.headers['retry-after'], /^[1-9]\d*$/, 'with Retry-After');
  t.match(JSON.parse(res.body), { status: 503, title: 'Service Unavailable', detail: String });
  t.notMatch(res.body, /terminat|timeout|cancel|pg_|sql|statement|audit_events|pool/i, 'no internals in the body');
}

/** Rows in every table these requests write to: a request the database failed leaves them as they were. */
async function footprint(ta: TestApp) {
  const [row] = await queryRows<Record<'users' | 'mediators' | 'cpd' | 'assessments' | 'audit' | 'notifications', number>>(
    ta.database.db,
    sql`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM mediators) AS mediators,
               (SELECT count(*) FROM cpd_entries) AS cpd, (SELECT count(*) FROM compliance_assessments) AS assessments,
               (SELECT count(*) FROM audit_events) AS audit, (SELECT count(*) FROM notifications) AS notifications`,
  );
  return row!;
}

/**
 * Holds the audit trail, which every write here records last in its transaction, so the request
 * stops with its other rows written but not committed; then kills its backend.
 */
async function terminateMidTransaction(t: Test, ta: TestApp, send: () => Promise<Answer>, writes: string[]) {
  const pool = ta.database.pool!;
  const before = await footprint(ta);
  const lock = await holdLock(t, pool, 'LOCK TABLE audit_events IN EXCLUSIVE MODE');
  const inFlight = send();
  const answeredFirst = inFlight.then((res) => Promise.reject(new Error(`answered ${res.statusCode} without waiting on the lock: ${res.body}`)));
  const pid = await Promise.race([waitingBackend(pool, 'audit_events'), answeredFirst]);
  const wrote = await tablesWritten(pool, pid);
  t.same(
    wrote.filter((n) => writes.includes(n)),
    writes,
    `waiting inside its transaction, having written ${writes.join(', ')}`,
  );
  await terminateBackend(pool, pid);
  await lock.release();
  isUnavailable(t, await inFlight);
  t.same(await footprint(ta), before, 'nothing of it remains');
}

/** Another instance on the test's PostgreSQL database, opened from its settings as the server opens one. */
async function instance(t: Test, ta: TestApp, env: Record<string, string>) {
  const config = testConfig({ ...env, DATABASE_URL: ta.databaseUrl!, JWT_SECRET, AUDIT_SIGNING_KEY });
  const database = await openDatabase(databaseTarget(config));
  const app = await buildApp(config, { database, jwtSecret: JWT_SECRET, clock: ta.clock });
  t.teardown(async () => {
    await app.close();
    await database.close();
  });
  return { app, pool: database.pool! };
}

const registration = (email: string) => ({ method: 'POST' as const, url: '/v1/auth/register', payload: { email, password: PASSWORD, fullName: 'Robin Example' } });
const verification = (token: string) => ({ method: 'POST' as const, url: '/v1/auth/verify', payload: { token, password: PASSWORD } });

t.test('every way the database can be out of reach maps to 503', async (t) => {
  const faults: Array<[string, unknown]> = [
    ['terminated backend', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['crash shutdown', { code: '57P02' }],
    ['server starting up', { code: '57P03' }],
    ['database dropped', { code: '57P04' }],
    ['idle session timeout', { code: '57P05' }],
    ['statement timeout', { code: '57014' }],
    ['idle in transaction timeout', { code: '25P03' }],
    ['too many connections', { code: '53300' }],
    ['connection lost', new Error('Connection terminated unexpectedly')],
    ['client broken by an earlier error', new Error('Client has encountered a connection error and is not queryable')],
    ['pool exhausted', new Error('timeout exceeded when trying to connect')],
    ['wrapped by drizzle', Object.assign(new Error('Failed query: insert into "users" ...'), { cause: { code: '57014' } })],
  ];
  for (const [what, err] of faults) t.equal(toProblem(err).status, 503, what);
  t.equal(toProblem({ code: '23505' }).status, 409, 'a conflict is still a conflict');
});

t.test('PostgreSQL: a backend killed while its request waits inside a transaction', { skip: needsPostgres }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const registrar = await ta.staff('registrar');

  await t.test('account creation from a verification link: 503, nothing written, the retry creates it', async (t) => {
    t.equal((await ta.request(registration('killed@example.org'))).statusCode, 202);
    const verify = verification(await mailedSecret(ta.database.db, 'killed@example.org', 'verify_email'));
    await terminateMidTransaction(t, ta, () => ta.request(verify), ['mediators', 'notifications', 'users']);
    t.equal((await ta.request(verify)).statusCode, 201);
  });

  await t.test('CPD entry: 503, nothing written, the retry is logged', async (t) => {
    const m = await ta.mediator();
    await accredit(ta, m.mediatorId, { body: 'com', route: 'standards_2024', firstAccreditedOn: '2024-04-01', complianceStartOn: '2024-04-01' });
    const entry = { date: '2025-05-10', hours: 3, category: 'course', sendSpecific: true, title: 'SEND law update', provider: 'Mediation Academy', reflection: 'EHC plans', evidenceRef: null };
    const send = () => ta.request({ method: 'POST', url: '/v1/me/cpd', token: m.token, payload: entry });
    await terminateMidTransaction(t, ta, send, ['cpd_entries']);
    t.equal((await send()).statusCode, 201);
  });

  await t.test('grandfathered import: 503, nothing written, the retry imports', async (t) => {
    const csv =
      'Full Name,Email,Membership Number,First Accredited On,Regions,Languages\r\nAled Price,aled@example.org,COM-900,2019-05-01,south_west,en;cy\r\nBea Ross,bea@example.org,COM-901,2019-06-01,london,en\r\n';
    const send = () => ta.request({ method: 'POST', url: '/v1/admin/imports/grandfathered?body=com', token: registrar.token, payload: csv, headers: { 'content-type': 'text/csv' } });
    await terminateMidTransaction(t, ta, send, ['claim_tokens', 'mediators', 'notifications', 'status_history', 'users']);
    const retry = await send();
    t.equal(retry.statusCode, 200);
    t.match(retry.json(), { written: true, counts: { create: 2 } });
  });

  await t.test('compliance run: 503, nothing of the run written but its failed attempt, the rerun completes', async (t) => {
    for (let i = 0; i < 3; i++) {
      const m = await ta.mediator();
      await accredit(ta, m.mediatorId, { body: 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-06-01', complianceStartOn: '2025-04-01' });
    }
    ta.clock.set('2026-04-16T09:00:00Z');
    const send = () => ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-15' } });
    await terminateMidTransaction(t, ta, send, ['compliance_assessments', 'job_runs', 'notifications']);
    const runs = await queryRows<{ failed: boolean }>(ta.database.db, sql`SELECT error IS NOT NULL AS failed FROM job_runs`);
    t.same(runs, [{ failed: true }], 'the failed attempt is on record, outside the lost transaction');
    const rerun = await send();
    t.equal(rerun.statusCode, 200);
    t.match(rerun.json(), { alreadyRun: false, error: null });
    t.ok((await footprint(ta)).assessments >= 3, 'and assesses');
  });
});

t.test('PostgreSQL: every pooled connection busy answers 503 once the acquire timeout passes', { skip: needsPostgres }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const other = await instance(t, ta, { DB_POOL_MAX: '2', DB_POOL_ACQUIRE_TIMEOUT_MS: '200' });
  const before = await footprint(ta);
  const held = [await other.pool.connect(), await other.pool.connect()];
  isUnavailable(t, await other.app.inject(registration('crowded@example.org')));
  for (const c of held) c.release();
  t.same(await footprint(ta), before, 'nothing written');
  t.equal((await other.app.inject(registration('crowded@example.org'))).statusCode, 202, 'with connections free again, the retry registers');
});

t.test('PostgreSQL: a statement stuck behind a lock longer than the statement timeout answers 503', { skip: needsPostgres, timeout: 120_000 }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const other = await instance(t, ta, { DB_STATEMENT_TIMEOUT_MS: '1000' });
  t.equal((await other.pool.query('SHOW statement_timeout')).rows[0].statement_timeout, '1s', 'every connection carries the limit');
  const before = await footprint(ta);
  // Released only after the answer: without the limit the request would wait on it for ever.
  const lock = await holdLock(t, ta.database.pool!, 'LOCK TABLE pending_registrations IN EXCLUSIVE MODE');
  isUnavailable(t, await other.app.inject(registration('stuck@example.org')));
  await lock.release();
  t.same(await footprint(ta), before, 'nothing written');
  t.equal((await other.app.inject(registration('stuck@example.org'))).statusCode, 202, 'the retry registers');
});

t.test('PostgreSQL: a compliance run outwaits another run on the run lock, past the request statement limit', { skip: needsPostgres }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const other = await instance(t, ta, { DB_STATEMENT_TIMEOUT_MS: '500' });
  const registrar = await ta.staff('registrar');
  const lock = await holdLock(t, ta.database.pool!, `SELECT pg_advisory_xact_lock(${LOCK_KEYS.complianceRun})`);
  const inFlight = other.app.inject({ method: 'POST', url: '/v1/admin/jobs/compliance', headers: { authorization: `Bearer ${registrar.token}` }, payload: {} });
  // Judged by the database's clock: the run's lock wait outlives the limit every request has.
  let outlived = false;
  for (let i = 0; i < 600 && !outlived; i++) {
    const { rowCount } = await ta.database.pool!.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
          AND query ILIKE '%pg_advisory_xact_lock%' AND clock_timestamp() - query_start > interval '1 second'`,
    );
    outlived = rowCount === 1;
    if (!outlived) await pause(50);
  }
  t.ok(outlived, 'still waiting at twice the statement limit');
  await lock.release();
  const run = await inFlight;
  t.equal(run.statusCode, 200, 'and runs once the lock is free');
  t.match(run.json(), { alreadyRun: false, error: null });
});

t.test('PostgreSQL: a connection left idle in a transaction past the limit is ended by the server; the process carries on', { skip: needsPostgres }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const other = await instance(t, ta, { DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '100' });
  const client = await other.pool.connect();
  await client.query('BEGIN');
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  // The server ends the session on its own, while the client is checked out and not querying.
  for (let i = 0; i < 600; i++) {
    const { rowCount } = await ta.database.pool!.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [rows[0]!.pid]);
    if (!rowCount) break;
    await pause(50);
  }
  await t.rejects(client.query('SELECT 1'), 'the ended connection refuses work');
  client.release();
  t.equal((await other.app.inject(registration('idle@example.org'))).statusCode, 202, 'the pool opens a new one for the next request');
});

t.test('PostgreSQL: the outbox sender outlives a killed connection and delivers on its next pass', { skip: needsPostgres }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const pool = ta.database.pool!;
  const m = await ta.mediator();
  const delivered: string[] = [];
  const errors: unknown[] = [];
  const sender = createOutboxSender({ db: ta.database.db, transport: { send: async (message) => void delivered.push(message.to) }, onError: (err) => errors.push(err) });
  t.teardown(() => sender.stop());
  const lock = await holdLock(t, pool, 'LOCK TABLE notifications IN EXCLUSIVE MODE');
  sender.start(50);
  await terminateBackend(pool, await waitingBackend(pool, 'notifications'));
  await lock.release();
  for (let i = 0; i < 600 && delivered.length < 2; i++) await pause(50);
  t.same(delivered, [m.email, m.email], 'the verification and welcome messages went out on a later pass');
  t.equal(errors.length, 1, 'the failed pass was reported');
  t.equal(toProblem(errors[0]).status, 503, 'as the database being unavailable');
});

t.test('PostgreSQL, the real server: the backend of an account-creating request killed mid-transaction; the process lives and answers', { skip: needsPostgres }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  // The outbox passes once at start, then not again during the test: the verification mail stays unsent and readable.
  const server = await startServer(t, { DATABASE_URL: ta.databaseUrl!, JWT_SECRET, AUDIT_SIGNING_KEY, STATEMENT_SIGNING_KEY, OUTBOX_POLL_MS: '3600000' });
  const post = async ({ url, payload }: { url: string; payload: object }): Promise<Answer> => {
    const res = await fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    return { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  };
  t.equal((await post(registration('operator@example.org'))).statusCode, 202);
  const verify = verification(await mailedSecret(ta.database.db, 'operator@example.org', 'verify_email'));
  await terminateMidTransaction(t, ta, () => post(verify), ['mediators', 'notifications', 'users']);
  t.equal((await post(verify)).statusCode, 201, 'the same process lives and creates the account on the retry');
  t.notMatch(server.output(), /Unhandled 'error' event|uncaught/i, 'having logged no crash');
});
