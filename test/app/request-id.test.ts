import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { queryRows, sql } from '../../src/db/client.ts';
import { JWT_SECRET, PASSWORD, testConfig } from '../helpers/app.ts';
import { freshDatabase } from '../helpers/database.ts';
import { mailedSecret } from '../helpers/mail.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

t.test('X-Request-Id: kept when acceptable, replaced otherwise, carried into the log and the audit trail', async (t) => {
  const fresh = await freshDatabase('pglite');
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = await buildApp(testConfig(), { database: fresh.database, jwtSecret: JWT_SECRET, logger: { level: 'info', stream } });
  t.teardown(async () => {
    await app.close();
    await fresh.drop();
  });
  const get = (id?: string) => app.inject({ method: 'GET', url: '/v1/register', headers: id === undefined ? {} : { 'x-request-id': id } });

  for (const id of ['a', 'b3f1c9e2-5d4a-4c1b-9e8f-0a1b2c3d4e5f', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'lb.edge:7:x-1', 'x'.repeat(128)]) {
    const res = await get(id);
    t.equal(res.headers['x-request-id'], id, `kept: ${id.slice(0, 60)}`);
    t.ok(
      lines.some((l) => l.msg === 'request' && l.reqId === id),
      'and in the request log line',
    );
  }

  const refused = ['', 'x'.repeat(129), 'has space', 'new\nline', '<script>', 'ünïcode', 'a,b', 'a/b', '"quoted"'];
  for (const id of refused) {
    const res = await get(id);
    const given = String(res.headers['x-request-id']);
    t.match(given, UUID, `replaced: ${JSON.stringify(id.slice(0, 40))}`);
    t.ok(
      lines.some((l) => l.msg === 'request' && l.reqId === given),
      'the fresh id is the one logged',
    );
    t.notOk(
      lines.some((l) => l.reqId === id),
      'the refused one is logged nowhere',
    );
  }
  const a = String((await get()).headers['x-request-id']);
  const b = String((await get()).headers['x-request-id']);
  t.match(a, UUID, 'none sent: a fresh UUID');
  t.not(a, b, 'a different one each time');

  const traced = 'trace-7f3a.register:1';
  const res = await app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    headers: { 'x-request-id': traced },
    payload: { email: 'traced@example.org', password: PASSWORD, fullName: 'Traced Mediator' },
  });
  t.equal(res.statusCode, 202);
  t.equal(res.headers['x-request-id'], traced);
  const verified = await app.inject({
    method: 'POST',
    url: '/v1/auth/verify',
    headers: { 'x-request-id': traced },
    payload: { token: await mailedSecret(fresh.database.db, 'traced@example.org', 'verify_email'), password: PASSWORD },
  });
  t.equal(verified.statusCode, 201);
  const events = await queryRows<{ action: string; requestId: string | null }>(
    fresh.database.db,
    // The email is a personal value: kept beside the event, committed to in its leaf.
    sql`SELECT action, request_id AS "requestId" FROM audit_events e JOIN audit_personal_values v USING (seq) WHERE v.value = 'traced@example.org'`,
  );
  t.ok(events.length > 0, `the registration was audited (${events.map((e) => e.action).join(', ')})`);
  t.ok(
    events.every((e) => e.requestId === traced),
    'every event it wrote carries the caller’s request id',
  );
});
