import { randomUUID } from 'node:crypto';
import t from 'tap';
import { queryRows, sql } from '../../src/db/client.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../../src/db/schema.ts';
import { buildTestApp, eachDatabase, type TestApp } from '../helpers/app.ts';
import { accredit } from '../helpers/compliance.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (what a scraper reads). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

async function scrape(ta: TestApp, headers: Record<string, string> = {}) {
  const res = await ta.request({ method: 'GET', url: '/metrics', headers });
  if (res.statusCode !== 200) throw new Error(`GET /metrics answered ${res.statusCode}: ${res.body}`);
  const samples = parseExposition(res.body);
  /** The value of the one sample with this name and (at least) these labels; undefined when absent. */
  const value = (name: string, labels: Record<string, string> = {}) => {
    const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
    return found[0]?.value;
  };
  return { res, body: res.body, samples, value };
}

const midnightUtc = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);

  await t.test('Prometheus text with request durations labelled by route pattern, never the raw URL', async (t) => {
    const id = randomUUID();
    const entry = await ta.request({ method: 'GET', url: `/v1/register/${id}` });
    t.equal(entry.statusCode, 404);
    const stray = randomUUID();
    t.equal((await ta.request({ method: 'GET', url: `/no/such/${stray}` })).statusCode, 404);

    const { res, body, value } = await scrape(ta);
    t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    t.equal(value('http_request_duration_seconds_count', { method: 'GET', route: '/v1/register/:id', status_code: '404' }), 1);
    t.equal(value('http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' }), 1, 'a URL with no route shares one label');
    t.notOk(body.includes(id), 'the requested id is not a label');
    t.notOk(body.includes(stray), 'nor is a stray URL');
    t.ok(value('process_cpu_user_seconds_total')! > 0, 'default process metrics');
    t.ok(value('nodejs_heap_size_used_bytes')! > 0);
    t.equal(value('send_register_database_info', { kind }), 1);
  });

  await t.test('pool usage on PostgreSQL; none on PGlite (one embedded connection)', async (t) => {
    const { value } = await scrape(ta);
    if (kind === 'postgres') {
      t.equal(value('send_register_db_pool_max_connections'), 10);
      t.ok(value('send_register_db_pool_connections')! >= 1, 'the scrape itself used a connection');
      t.equal(value('send_register_db_pool_waiting_requests'), 0);
      const idle = value('send_register_db_pool_idle_connections');
      t.ok(idle !== undefined && idle <= value('send_register_db_pool_connections')!);
      // Held connections show as busy (total minus idle) at the next scrape.
      const held = await Promise.all([ta.database.pool!.connect(), ta.database.pool!.connect()]);
      const during = await scrape(ta);
      t.ok(during.value('send_register_db_pool_connections')! - during.value('send_register_db_pool_idle_connections')! >= 2, 'two connections held');
      for (const c of held) c.release();
    } else {
      t.equal(value('send_register_db_pool_connections'), undefined);
    }
  });

  await t.test('outbox backlog and failures', async (t) => {
    const before = await scrape(ta);
    const queued = before.value('send_register_outbox_messages', { state: 'queued' })!;
    t.equal(before.value('send_register_metrics_source_up', { source: 'outbox' }), 1);

    const [message] = await queryRows<{ id: string }>(
      ta.database.db,
      sql`INSERT INTO notifications (recipient, template, data, send_after) VALUES ('late@example.org', 'welcome', '{}', now() - interval '1 hour') RETURNING id`,
    );
    const after = await scrape(ta);
    t.equal(after.value('send_register_outbox_messages', { state: 'queued' }), queued + 1, 'the unsent message is in the backlog');
    t.ok(after.value('send_register_outbox_oldest_due_seconds')! >= 3600, 'overdue by the hour it has waited');

    await ta.database.db.execute(sql`UPDATE notifications SET attempts = 1, last_error = 'mailbox unavailable' WHERE id = ${message!.id}`);
    const retrying = await scrape(ta);
    t.equal(retrying.value('send_register_outbox_messages', { state: 'queued' }), queued);
    t.equal(retrying.value('send_register_outbox_messages', { state: 'retrying' }), 1);

    await ta.database.db.execute(sql`UPDATE notifications SET attempts = ${MAX_DELIVERY_ATTEMPTS} WHERE id = ${message!.id}`);
    const failed = await scrape(ta);
    t.equal(failed.value('send_register_outbox_messages', { state: 'retrying' }), 0);
    t.equal(failed.value('send_register_outbox_messages', { state: 'failed' }), 1, 'given up: counted as failed');

    await ta.database.db.execute(sql`UPDATE notifications SET sent_at = now() WHERE id = ${message!.id}`);
    t.equal((await scrape(ta)).value('send_register_outbox_messages', { state: 'failed' }), 0, 'sent: out of the backlog');
  });

  await t.test('the latest compliance run and its counts', async (t) => {
    const none = await scrape(ta);
    t.equal(none.value('send_register_metrics_source_up', { source: 'compliance' }), 1);
    t.equal(none.value('send_register_compliance_last_run_as_of_timestamp_seconds'), undefined, 'no run yet: no sample (not 1970)');
    t.equal(none.value('send_register_compliance_last_success_as_of_timestamp_seconds'), undefined);

    const registrar = await ta.staff('registrar');
    for (let i = 0; i < 2; i++) {
      const m = await ta.mediator();
      await accredit(ta, m.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-01-10', complianceStartOn: '2025-04-01' });
    }
    ta.clock.set('2026-04-01T08:00:00Z');
    const run = await ta.request({ method: 'POST', url: '/v1/admin/jobs/compliance', token: registrar.token, payload: { asOf: '2026-04-01' } });
    t.equal(run.statusCode, 200);
    const summary = run.json();
    t.equal(summary.counts.inGrace, 2, 'two periods went into grace');

    const { value } = await scrape(ta);
    t.equal(value('send_register_compliance_last_run_as_of_timestamp_seconds'), midnightUtc('2026-04-01'));
    t.equal(value('send_register_compliance_last_run_finished_timestamp_seconds'), Date.parse(summary.finishedAt) / 1000);
    t.equal(value('send_register_compliance_last_run_failed'), 0);
    t.equal(value('send_register_compliance_last_run_assessments', { outcome: 'in_grace' }), 2);
    t.equal(value('send_register_compliance_last_run_assessments', { outcome: 'compliant' }), summary.counts.compliant);
    t.equal(value('send_register_compliance_last_run_assessments', { outcome: 'non_compliant' }), summary.counts.nonCompliant);
    t.equal(value('send_register_compliance_last_run_assessments', { outcome: 'exempt' }), summary.counts.exempt);
    t.equal(value('send_register_compliance_last_run_lapsed'), summary.counts.lapsed);
    t.equal(value('send_register_compliance_last_run_reminders'), summary.remindersSent);
    t.equal(value('send_register_compliance_last_success_as_of_timestamp_seconds'), midnightUtc('2026-04-01'));

    // A failed attempt, recorded as the job records one (its own row, with the error and no counts).
    await ta.database.db.execute(
      sql`INSERT INTO job_runs (as_of, started_at, finished_at, error) VALUES ('2026-04-02', now() + interval '1 minute', now() + interval '2 minutes', 'canceling statement due to statement timeout')`,
    );
    const failed = await scrape(ta);
    t.equal(failed.value('send_register_compliance_last_run_failed'), 1);
    t.equal(failed.value('send_register_compliance_last_run_as_of_timestamp_seconds'), midnightUtc('2026-04-02'));
    t.equal(failed.value('send_register_compliance_last_run_assessments', { outcome: 'in_grace' }), undefined, 'a failed run has no counts');
    t.equal(failed.value('send_register_compliance_last_success_as_of_timestamp_seconds'), midnightUtc('2026-04-01'), 'the last success stays known');
  });

  await t.test('a database reading that fails leaves the rest of the scrape answering', async (t) => {
    await ta.database.db.execute(sql`ALTER TABLE notifications RENAME TO notifications_elsewhere`);
    t.teardown(() => ta.database.db.execute(sql`ALTER TABLE notifications_elsewhere RENAME TO notifications`));
    const { value } = await scrape(ta);
    t.equal(value('send_register_metrics_source_up', { source: 'outbox' }), 0, 'the outbox reading is reported down');
    t.equal(value('send_register_outbox_messages', { state: 'queued' }), undefined, 'and its stale numbers withdrawn');
    t.equal(value('send_register_metrics_source_up', { source: 'compliance' }), 1, 'the other reading still answers');
    t.ok(value('send_register_compliance_last_run_failed') !== undefined);
    t.ok(value('http_request_duration_seconds_count', { route: '/metrics', status_code: '200' })! >= 1, 'and so do the request metrics');
  });
});

t.test('with METRICS_TOKEN set, only a bearer of that token may scrape', async (t) => {
  const token = 'metrics-token-that-is-long-enough-0123456789';
  const ta = await buildTestApp(t, 'pglite', { env: { METRICS_TOKEN: token } });
  const registrar = await ta.staff('registrar');
  const cases: Array<[string, Record<string, string>]> = [
    ['no credentials', {}],
    ["a registrar's sign-in token", { authorization: `Bearer ${registrar.token}` }],
    ['a wrong token', { authorization: `Bearer ${token.slice(0, -1)}x` }],
    ['the token as a prefix', { authorization: `Bearer ${token}x` }],
    ['the token without the scheme', { authorization: token }],
  ];
  for (const [what, headers] of cases) {
    const res = await ta.request({ method: 'GET', url: '/metrics', headers });
    t.equal(res.statusCode, 401, what);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${what}: problem+json`);
    t.equal(res.headers['www-authenticate'], 'Bearer realm="metrics"');
  }
  const ok = await ta.request({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
  t.equal(ok.statusCode, 200, 'the token');
  t.match(ok.body, /http_request_duration_seconds_count\{[^}]*route="\/metrics"[^}]*status_code="401"[^}]*\} 5/, 'refusals are measured too');
});

t.test('without METRICS_TOKEN the endpoint is open (for a private network) and documented', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  t.equal((await ta.request({ method: 'GET', url: '/metrics' })).statusCode, 200);
  t.same(
    ta.app.routeTable.filter((r) => r.url === '/metrics'),
    [{ method: 'GET', url: '/metrics', access: 'public' }],
  );
  const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
  const op = doc.paths['/metrics'].get;
  t.match(op.description, /METRICS_TOKEN/);
  t.ok(op.responses['200'].content['text/plain'], 'documented as text');
  t.ok(op.responses['401'], 'and its refusal');
});

t.test('with the database gone, the scrape still answers: readings down, the rest intact', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  await ta.database.close();
  const { value } = await scrape(ta);
  t.equal(value('send_register_metrics_source_up', { source: 'outbox' }), 0);
  t.equal(value('send_register_metrics_source_up', { source: 'compliance' }), 0);
  t.ok(value('nodejs_heap_size_used_bytes')! > 0, 'process metrics');
  t.equal((await ta.request({ method: 'GET', url: '/ready' })).statusCode, 503, 'while /ready says the database is gone');
  t.equal((await scrape(ta)).value('http_request_duration_seconds_count', { route: '/ready', status_code: '503' }), 1, 'and the request metrics count it');
});
