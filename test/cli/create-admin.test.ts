import t, { type Test } from 'tap';
import { buildApp } from '../../src/app.ts';
import type { Database } from '../../src/db/client.ts';
import { dbKinds, freshDatabase } from '../helpers/database.ts';
import { JWT_SECRET, AUDIT_SIGNING_KEY, testConfig } from '../helpers/app.ts';
import { cli } from './cli-context.ts';
import { migratedDataDir, openDataDir } from './cli-process.ts';

const PASSWORD = 'a passphrase from the environment';

/** The CLI's database settings for a kind, and how to open what it wrote afterwards. */
async function target(t: Test, kind: 'pglite' | 'postgres'): Promise<{ env: Record<string, string>; open: () => Promise<Database> }> {
  if (kind === 'pglite') {
    const dataDir = await migratedDataDir(t);
    return { env: { DATA_DIR: dataDir }, open: () => openDataDir(t, dataDir) };
  }
  const fresh = await freshDatabase('postgres');
  t.teardown(() => fresh.drop());
  return { env: { DATABASE_URL: fresh.url!, JWT_SECRET, AUDIT_SIGNING_KEY }, open: async () => fresh.database };
}

for (const kind of dbKinds()) {
  t.test(`${kind}: create-admin takes the password from the environment or generates one; both sign in`, async (t) => {
    const { env, open } = await target(t, kind);

    const fromEnv = await cli(['create-admin', '--email', 'Registrar@Example.org', '--role', 'registrar', '--name', 'Rita Registrar'], { ...env, REGISTER_ADMIN_PASSWORD: PASSWORD });
    t.equal(fromEnv.code, 0, fromEnv.stderr);
    t.match(fromEnv.stdout, /^Created registrar registrar@example\.org \([0-9a-f-]{36}\)\n$/);
    t.equal(fromEnv.stderr, '', 'nothing else: not a terminal, so no progress');
    t.notMatch(fromEnv.stdout, PASSWORD, 'the password is not printed');

    const generated = await cli(['create-admin', '--email', 'admin@example.org', '--role', 'admin', '--body', 'cmc', '--generate-password'], env);
    t.equal(generated.code, 0, generated.stderr);
    const [created, shown, ...rest] = generated.stdout.split('\n');
    t.match(created, /^Created admin \(cmc\) admin@example\.org /);
    const password = /^Password \(shown once; store it now\): (\S+)$/.exec(shown ?? '')?.[1];
    t.ok(password && password.length >= 32, 'a long password, printed once');
    t.same(rest, [''], 'and nothing more');

    const again = await cli(['create-admin', '--email', 'admin@example.org', '--role', 'assessor'], { ...env, REGISTER_ADMIN_PASSWORD: PASSWORD });
    t.equal(again.code, 1);
    t.equal(again.stderr, 'An account with the email admin@example.org already exists.\n');

    const app = await buildApp(testConfig(), { database: await open(), jwtSecret: JWT_SECRET });
    t.teardown(() => app.close());
    const login = (email: string, pw: string) => app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: pw } });
    t.equal((await login('registrar@example.org', PASSWORD)).statusCode, 200, 'the registrar signs in with the password from the environment');
    t.equal((await login('admin@example.org', password!)).statusCode, 200, 'the admin signs in with the generated password');
    t.equal((await login('admin@example.org', PASSWORD)).statusCode, 401, 'and not with another');
  });
}

t.test('create-admin refuses a password made of the account’s own name or email', async (t) => {
  const { env } = await target(t, 'pglite');
  const own = await cli(['create-admin', '--email', 'rita.registrar@example.org', '--role', 'registrar', '--name', 'Rita Registrar'], {
    ...env,
    REGISTER_ADMIN_PASSWORD: 'rita.registrar@example.org',
  });
  t.equal(own.code, 1);
  t.match(own.stderr, /REGISTER_ADMIN_PASSWORD: is too easy to guess \(It contains your own name or email address/);
  const named = await cli(['create-admin', '--email', 'ops@example.org', '--role', 'registrar', '--name', 'Gwendolyn Fairweather'], { ...env, REGISTER_ADMIN_PASSWORD: 'GwendolynFairweather' });
  t.equal(named.code, 1, 'the name run together is no better');
});
