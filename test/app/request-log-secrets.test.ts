import { Writable } from 'node:stream';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { loggableUrl } from '../../src/lib/loggable-url.ts';
import { newToken } from '../../src/lib/tokens.ts';
import { JWT_SECRET, testConfig } from '../helpers/app.ts';
import { freshDatabase } from '../helpers/database.ts';

t.test('loggableUrl replaces the values of code and token, and leaves the rest', async (t) => {
  t.equal(loggableUrl('/v1/register?q=smith&limit=5'), '/v1/register?q=smith&limit=5');
  t.equal(loggableUrl('/account/claim?code=abc123'), '/account/claim?code=redacted');
  t.equal(loggableUrl('/account/reset?lang=cy&token=abc&token=def'), '/account/reset?lang=cy&token=redacted&token=redacted');
  t.equal(loggableUrl('/health'), '/health');
});

t.test('loggableUrl: any spelling of the name, and any secret-like run anywhere; ids stay', async (t) => {
  t.equal(loggableUrl('/account/reset?CODE=abc123'), '/account/reset?CODE=redacted');
  t.equal(loggableUrl('/account/reset?lang=cy&Token=abc'), '/account/reset?lang=cy&Token=redacted');
  t.equal(loggableUrl('/account/reset?code%3Dabc123'), '/account/reset?code=redacted', 'the = percent-encoded');
  t.equal(loggableUrl('/account/reset?%63ode=abc123'), '/account/reset?code=redacted', 'the name percent-encoded');
  t.equal(loggableUrl('/account/reset;code=abc123'), '/account/reset;code=redacted', 'a path parameter');
  const secret = newToken();
  t.equal(loggableUrl(`/account/reset/${secret}`), '/account/reset/redacted', 'a secret in the path');
  t.equal(loggableUrl(`/account/reset?c=${secret}`), '/account/reset?c=redacted', 'under another name');
  t.equal(loggableUrl(`/account/reset?code%253D${secret}`), '/account/reset?code%redacted', 'encoded twice');
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  t.equal(loggableUrl(`/v1/admin/users/${id}/second-factor?limit=5`), `/v1/admin/users/${id}/second-factor?limit=5`, 'a UUID is not a secret');
});

t.test('the request log line at info never carries a link’s code', async (t) => {
  const fresh = await freshDatabase('pglite');
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const app = await buildApp(testConfig(), { database: fresh.database, jwtSecret: JWT_SECRET, logger: { level: 'info', stream } });
  t.teardown(async () => {
    await app.close();
    await fresh.drop();
  });
  for (const url of ['/account/claim?code=claim-secret-1', '/account/reset?code=reset-secret-2', '/account/verify?code=verify-secret-3', '/setup?code=setup-secret-4']) {
    await app.inject({ method: 'GET', url });
    const logged = lines
      .map((l) => JSON.parse(l) as { msg: string; url?: string })
      .filter((l) => l.msg === 'request')
      .at(-1);
    t.equal(logged?.url, url.replace(/=.*/, '=redacted'), url.split('?')[0]!);
  }
  t.notOk(
    lines.some((l) => /secret-\d/.test(l)),
    'no line holds a code',
  );

  const secret = newToken();
  for (const url of [`/account/reset?CODE=${secret}`, `/account/reset?code%3D${secret}`, `/account/reset;code=${secret}`, `/account/claim?Code=${secret}&lang=cy`]) {
    await app.inject({ method: 'GET', url });
    const logged = lines
      .map((l) => JSON.parse(l) as { msg: string; url?: string })
      .filter((l) => l.msg === 'request')
      .at(-1);
    t.match(logged?.url, /^\/account\/(reset|claim)[?;]\w+=redacted/, `${url.replace(secret, '…')} logged redacted`);
  }
  t.notOk(
    lines.some((l) => l.includes(secret)),
    'no line holds the variant spellings’ secret',
  );
});
