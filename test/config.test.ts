import t from 'tap';
import { AUDIT_SIGNING_KEY } from './helpers/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';

t.test('defaults are those of API.md', async (t) => {
  const c = loadConfig({});
  t.equal(c.HOST, '127.0.0.1');
  t.equal(c.PORT, 3000);
  t.equal(c.COMPLIANCE_CRON, '0 2 * * *');
  t.same(c.database, { kind: 'pglite', dataDir: './data' });
  t.same(loadConfig({ DATA_DIR: 'memory://' }).database, { kind: 'pglite', dataDir: 'memory://' });
  t.equal(loadConfig({ PORT: '0' }).PORT, 0, 'PORT=0 picks a free port');
  t.equal(loadConfig({ COMPLIANCE_CRON: 'off' }).COMPLIANCE_CRON, 'off');
});

t.test('a wrong value stops start-up naming the variable', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ DATABASE_URL: 'postgres://localhost/x' }, /JWT_SECRET: required when DATABASE_URL is set/],
    [{ DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'short' }, /JWT_SECRET/],
    [{ DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'x'.repeat(32) }, /AUDIT_SIGNING_KEY: required when DATABASE_URL is set/],
    [{ AUDIT_SIGNING_KEY: 'PRIVATE+KEY+x+00000000+AAAA' }, /AUDIT_SIGNING_KEY: must be a signed-note Ed25519 signer key/],
    [{ COMPLIANCE_CRON: 'every day' }, /COMPLIANCE_CRON/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ SMTP_URL: 'http://mail' }, /SMTP_URL/],
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), ConfigError);
    t.throws(() => loadConfig(env), { message }, JSON.stringify(env));
  }
});

t.test('DATABASE_URL with a secret selects PostgreSQL; blank values count as unset', async (t) => {
  const c = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', JWT_SECRET: 'x'.repeat(32), AUDIT_SIGNING_KEY, HOST: '' });
  t.same(c.database, { kind: 'postgres', url: 'postgres://u@h:5432/db' });
  t.equal(c.HOST, '127.0.0.1');
});

t.test('mail: the log transport is for development; production needs SMTP_URL or an explicit MAIL_TRANSPORT=log', async (t) => {
  t.equal(loadConfig({}).MAIL_TRANSPORT, 'log', 'no SMTP_URL: the log');
  t.equal(loadConfig({ SMTP_URL: 'smtp://mail:25' }).MAIL_TRANSPORT, 'smtp', 'SMTP_URL: SMTP');
  t.equal(loadConfig({ SMTP_URL: 'smtp://mail:25', MAIL_TRANSPORT: 'log' }).MAIL_TRANSPORT, 'log', 'the log when asked');
  t.throws(() => loadConfig({ NODE_ENV: 'production' }), { name: 'ConfigError', message: /SMTP_URL: required when NODE_ENV=production.*MAIL_TRANSPORT=log/ });
  t.equal(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtps://mail:465' }).MAIL_TRANSPORT, 'smtp');
  t.equal(loadConfig({ NODE_ENV: 'production', MAIL_TRANSPORT: 'log' }).MAIL_TRANSPORT, 'log', 'production with the log on purpose');
  t.throws(() => loadConfig({ MAIL_TRANSPORT: 'smtp' }), { name: 'ConfigError', message: /MAIL_TRANSPORT: smtp needs SMTP_URL/ });
  t.throws(() => loadConfig({ MAIL_TRANSPORT: 'pigeon' }), { name: 'ConfigError', message: /MAIL_TRANSPORT/ });
});

t.test('TRUST_PROXY: false, a hop count or proxy addresses; never "trust everyone"', async (t) => {
  t.equal(loadConfig({}).TRUST_PROXY, false);
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY, false);
  t.equal(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY, 2);
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,loopback,fd00::/8' }).TRUST_PROXY, ['10.0.0.5', '10.1.0.0/16', 'loopback', 'fd00::/8']);
  t.throws(() => loadConfig({ TRUST_PROXY: 'true' }), { name: 'ConfigError', message: /TRUST_PROXY: .*number of proxies.*addresses/ });
  for (const wrong of ['0', '10.0.0.0/33', 'proxy.example.org', '10.0.0.1/8/8', '*']) {
    t.throws(() => loadConfig({ TRUST_PROXY: wrong }), { name: 'ConfigError', message: /TRUST_PROXY/ }, wrong);
  }
});
