import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { openDatabase } from '../../src/db/client.ts';
import { buildTestApp, eachDatabase, JWT_SECRET, testConfig } from '../helpers/app.ts';

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  t.equal((await ta.request({ method: 'GET', url: '/health' })).json().status, 'ok');
  const ready = await ta.request({ method: 'GET', url: '/ready' });
  t.equal(ready.statusCode, 200);
  t.ok(ready.headers['x-request-id'], 'request id echoed');
  t.ok(ready.headers['x-content-type-options'], 'security headers');
  t.match(ready.headers['content-security-policy'], /default-src 'self'/);
  const missing = await ta.request({ method: 'GET', url: '/v1/nothing-here' });
  t.equal(missing.statusCode, 404);
  t.match(missing.headers['content-type'], /^application\/problem\+json/);
});

t.test('/ready is 503 when the database cannot be reached', async (t) => {
  const database = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' });
  const app = await buildApp(testConfig(), { database, jwtSecret: JWT_SECRET });
  t.teardown(async () => {
    await app.close();
    await database.close();
  });
  const res = await app.inject({ method: 'GET', url: '/ready' });
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.equal(res.json().status, 503);
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'liveness does not depend on the database');
});
