import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { registerYearAt } from '../../src/domain/register-year.ts';
import { buildTestApp, JWT_SECRET, AUDIT_SIGNING_KEY, PASSWORD } from '../helpers/app.ts';
import { holdLock, tablesWritten, terminateBackend, waitingBackend } from '../helpers/backends.ts';
import { accredit, jobFootprint } from '../helpers/compliance.ts';
import { pendingRegistrationsIn } from '../helpers/mail.ts';
import { startServer } from '../helpers/server-process.ts';

const root = new URL('../../', import.meta.url).pathname;

t.test('PostgreSQL: a backend terminated mid-request answers 503, and the next request works', { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  const m = await ta.mediator();
  // Hold a lock the request needs, so it is provably in flight on its own backend when that dies.
  const lock = await holdLock(t, ta.database.pool!, 'LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
  const inFlight = ta.request({ method: 'GET', url: '/v1/me', token: m.token });
  await terminateBackend(ta.database.pool!, await waitingBackend(ta.database.pool!, 'users'));
  await lock.release();

  const res = await inFlight;
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.notMatch(res.body, /terminat|pg_|SQL/i, 'no internals in the body');
  const next = await ta.request({ method: 'GET', url: '/v1/me', token: m.token });
  t.equal(next.statusCode, 200, 'the pool replaced the dead connection');
});

const post = (url: string, body: object) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

t.test('PGlite: a server killed with SIGKILL during writes restarts with every acknowledged write', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'register-kill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await startServer(t, { DATA_DIR: dir });

  const acknowledged: string[] = [];
  let n = 0;
  const writer = async () => {
    for (;;) {
      const email = `killed${++n}@example.org`;
      try {
        const res = await post(`${first.url}/v1/auth/register`, { email, password: PASSWORD, fullName: `Killed ${n}` });
        if (res.status === 202) acknowledged.push(email);
      } catch {
        return; // the server is gone
      }
    }
  };
  const writers = [writer(), writer(), writer()];
  while (acknowledged.length < 12) await new Promise((r) => setTimeout(r, 20));
  first.child.kill('SIGKILL');
  await Promise.all(writers);
  t.equal(await first.exited, null, 'killed, not exited');
  t.ok(n > acknowledged.length, `writes were in flight at the kill (${acknowledged.length} acknowledged of ${n} sent)`);

  const second = await startServer(t, { DATA_DIR: dir });
  t.equal((await fetch(`${second.url}/health`)).status, 200, 'the restarted server answers');
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0, 'and shuts down cleanly');
  // Registrations create no account until verified: what each acknowledged one wrote is its pending row.
  const pending = await pendingRegistrationsIn(dir);
  for (const email of acknowledged) t.ok(pending.has(email), `${email} is there`);
});

t.test('PostgreSQL: the compliance job killed mid-run leaves nothing; the rerun completes once', { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL' }, async (t) => {
  const ta = await buildTestApp(t, 'postgres');
  for (let i = 0; i < 6; i++) {
    const m = await ta.mediator();
    await accredit(ta, m.mediatorId, { body: i % 2 ? 'com' : 'cmc', route: 'grandfathered_2018', firstAccreditedOn: '2019-06-01', complianceStartOn: '2025-04-01' });
  }
  const before = await jobFootprint(ta);
  // The audit trail is written last in the run's transaction: holding it makes the child stop there,
  // with its assessments, notifications and run row written but not committed.
  const lock = await holdLock(t, ta.database.pool!, 'LOCK TABLE audit_events IN EXCLUSIVE MODE');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'compliance-run', '--as-of', '2026-04-15'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: ta.databaseUrl!, JWT_SECRET, AUDIT_SIGNING_KEY, LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  const pid = await waitingBackend(ta.database.pool!, 'insert into audit_events');
  const wrote = await tablesWritten(ta.database.pool!, pid);
  t.same(
    wrote.filter((n) => n === 'compliance_assessments' || n === 'job_runs'),
    ['compliance_assessments', 'job_runs'],
    'the run is part way through, having written its run row and assessments',
  );
  child.kill('SIGKILL');
  t.equal(await exited, 'SIGKILL');
  await lock.release();
  t.same(await jobFootprint(ta), before, 'nothing of the killed run remains');

  const registrar = await ta.staff('registrar');
  ta.clock.set('2026-04-16T09:00:00Z');
  const rerun = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-15' } });
  t.equal(rerun.statusCode, 200);
  t.match(rerun.json(), { alreadyRun: false, counts: { inGrace: 6 } });
  const done = await jobFootprint(ta);
  t.match(done, { assessments: 6, inGrace: 6, runs: 1 }, 'one run, one assessment per mediator');
  const again = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-15' } });
  t.match(again.json(), { alreadyRun: true, id: rerun.json().id });
  t.same(await jobFootprint(ta), done, 'a further rerun doubles nothing');
});

t.test('23:30 on 31 March in London is the old register year, 00:30 on 1 April the new one, in any server zone', async (t) => {
  const april = { yearStartMonth: 4, yearStartDay: 1 };
  const zone = process.env.TZ;
  t.teardown(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });
  for (const tz of ['UTC', 'Europe/London', 'America/New_York', 'Pacific/Auckland']) {
    process.env.TZ = tz;
    // British Summer Time: 23:30 London is 22:30 UTC; 00:30 on 1 April is 23:30 UTC on 31 March.
    t.match(registerYearAt(new Date('2026-03-31T22:30:00Z'), april), { year: 2025, start: '2025-04-01', end: '2026-03-31' }, `TZ=${tz}: 23:30 on 31 March`);
    t.match(registerYearAt(new Date('2026-03-31T23:30:00Z'), april), { year: 2026, start: '2026-04-01', end: '2027-03-31' }, `TZ=${tz}: 00:30 on 1 April`);
  }
});

t.test('a clock at 23:30 on 31 March in London is still that day; 00:30 on 1 April is the next', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  const registrar = await ta.staff('registrar');
  // 31 March 2026 is in British Summer Time: 23:30 London is 22:30 UTC, 00:30 on 1 April is 23:30 UTC on 31 March.
  for (const [instant, londonDay] of [
    ['2026-03-31T22:30:00Z', '2026-03-31'],
    ['2026-03-31T23:30:00Z', '2026-04-01'],
  ] as const) {
    ta.clock.set(instant);
    const run = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: {} });
    t.equal(run.statusCode, 200, 'the job ran for today');
    t.equal(run.json().asOf, londonDay, `${instant} is ${londonDay} in London`);
  }
  const [row] = await queryRows<{ n: number }>(ta.database.db, sql`SELECT count(*)::int AS n FROM job_runs WHERE error IS NULL`);
  t.equal(row!.n, 2, 'two different days, two runs');
});
