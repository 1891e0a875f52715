import t from 'tap';
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
  const c = loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db', JWT_SECRET: 'x'.repeat(32), HOST: '' });
  t.same(c.database, { kind: 'postgres', url: 'postgres://u@h:5432/db' });
  t.equal(c.HOST, '127.0.0.1');
});
