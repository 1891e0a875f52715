import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import pkg from '../../package.json' with { type: 'json' };
import { JWT_SECRET, AUDIT_SIGNING_KEY } from '../helpers/app.ts';
import { cli } from './cli-context.ts';
import { tempDir } from './cli-process.ts';

const COMMANDS = ['create-admin', 'import-grandfathered', 'compliance-run', 'audit-verify', 'seed'];

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

t.test('help for the tool and for each command, and the version', async (t) => {
  const tool = await cli(['--help'], {});
  t.equal(tool.code, 0);
  for (const c of COMMANDS) t.match(tool.stdout, new RegExp(`^  ${c}\\b`, 'm'), `--help lists ${c}`);
  t.match(tool.stdout, /DATABASE_URL/, 'and says which database it uses');
  const none = await cli([], {});
  t.equal(none.code, 2, 'no command is a usage error');
  t.match(none.stderr, /^Usage: cli /m, 'answered with the usage');
  const version = await cli(['--version'], {});
  t.equal(version.code, 0);
  t.equal(version.stdout.trim(), pkg.version, '--version is the package version');
  for (const c of COMMANDS) {
    const [viaHelp, viaOption] = [await cli(['help', c], {}), await cli([c, '--help'], {})];
    t.equal(viaHelp.code, 0, `help ${c}: exit 0`);
    t.equal(viaOption.code, 0, `${c} --help: exit 0`);
    t.match(viaHelp.stdout, new RegExp(`^Usage: cli ${c} `, 'm'), `${c}: its own usage`);
    t.equal(viaHelp.stdout, viaOption.stdout, `${c}: both ways agree`);
  }
  const admin = await cli(['create-admin', '--help'], {});
  t.match(admin.stdout, /REGISTER_ADMIN_PASSWORD/, 'create-admin says where the password comes from');
  t.notMatch(admin.stdout, /--password\b/, 'and does not offer --password');
});

t.test('unknown commands and options: a clear message, exit 2', async (t) => {
  const command = await cli(['sed', '--mediators', '3'], {});
  t.equal(command.code, 2);
  t.equal(command.stderr, "error: unknown command 'sed'\n(Did you mean seed?)\n");
  const option = await cli(['seed', '--mediators', '3', '--fast'], {});
  t.equal(option.code, 2);
  t.equal(option.stderr, "error: unknown option '--fast'\n");
  // Commander checks required options first: a misspelt one is reported as missing.
  const misspelt = await cli(['seed', '--mediator', '3'], {});
  t.equal(misspelt.code, 2);
  t.equal(misspelt.stderr, "error: required option '--mediators <n>' not specified\n");
  const extra = await cli(['audit-verify', 'now'], {});
  t.equal(extra.code, 2);
  t.match(extra.stderr, /too many arguments for 'audit-verify'/);
  t.equal(command.stdout + option.stdout + extra.stdout, '', 'nothing on stdout');
});

/** Each wrong command line, and what its one line must say. */
const BAD: Array<[string, string[], RegExp]> = [
  ['a role that does not exist', ['create-admin', '--email', 'a@example.org', '--role', 'boss'], /'--role <role>' argument 'boss' is invalid\. Allowed choices are admin, registrar, assessor/],
  ['an admin without a body', ['create-admin', '--email', 'a@example.org', '--role', 'admin'], /an admin belongs to one body: add --body com or --body cmc/],
  ['a body that does not exist', ['import-grandfathered', 'package.json', '--body', 'law'], /'--body <body>' argument 'law' is invalid\. Allowed choices are com, cmc/],
  ['no body for an import', ['import-grandfathered', 'package.json'], /required option '--body <body>' not specified/],
  ['not an email', ['create-admin', '--email', 'registrar', '--role', 'registrar'], /'--email <email>' argument 'registrar' is invalid/],
  ['a day that does not exist', ['compliance-run', '--as-of', '2025-02-30'], /'--as-of <date>' argument '2025-02-30' is invalid\. That day does not exist/],
  ['a date in another form', ['compliance-run', '--as-of', '30/04/2025'], /Expected a date as YYYY-MM-DD/],
  ['a date after today', ['compliance-run', '--as-of', '2999-01-01'], /after today/],
  ['no mediators', ['seed', '--mediators', '0'], /'--mediators <n>' argument '0' is invalid\. Expected a whole number from 1 to 1000000/],
  ['too many mediators', ['seed', '--mediators', '5000000'], /Expected a whole number from 1 to 1000000/],
  ['a count that is not a whole number', ['seed', '--mediators', '1e3'], /Expected a whole number/],
  ['a missing file', ['import-grandfathered', 'no-such-file.csv', '--body', 'com'], /value 'no-such-file.csv' is invalid for argument 'file'\. No such file/],
  ['a directory for a file', ['import-grandfathered', 'test', '--body', 'com'], /Not a file/],
  [
    'a password on the command line',
    ['create-admin', '--email', 'a@example.org', '--role', 'registrar', '--password', 'hunter2hunter2'],
    /--password is not accepted: .*shown by ps.*REGISTER_ADMIN_PASSWORD.*--generate-password/,
  ],
  ['--password=value', ['create-admin', '--email', 'a@example.org', '--role', 'registrar', '--password=hunter2hunter2'], /--password is not accepted/],
  ['--password with no value', ['create-admin', '--email', 'a@example.org', '--role', 'registrar', '--password'], /--password is not accepted/],
];

t.test('a wrong argument exits 2 before the database is opened: the data directory is never created', async (t) => {
  const dataDir = join(tempDir(t, 'register-cli-'), 'data');
  for (const [what, args, message] of BAD) {
    const res = await cli(args, { DATA_DIR: dataDir });
    t.equal(res.code, 2, `${what}: exit 2`);
    t.match(res.stderr, message, `${what}: says what is wrong`);
    t.equal(res.stderr.trim().split('\n').length, 1, `${what}: in one line`);
    t.notMatch(res.stderr, /hunter2/, `${what}: a refused password is not repeated`);
    t.equal(res.stdout, '');
  }
  t.notOk(existsSync(dataDir), 'no data directory was created');
});

t.test('a wrong argument is reported as such even when the database is unreachable', async (t) => {
  const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/register`, JWT_SECRET, AUDIT_SIGNING_KEY };
  const control = await cli(['audit-verify'], env);
  t.equal(control.code, 1, 'a right command line does reach for the database');
  t.match(control.stderr, /^Cannot reach the database at DATABASE_URL/);
  for (const [what, args, message] of BAD) {
    const res = await cli(args, env);
    t.equal(res.code, 2, what);
    t.match(res.stderr, message, `${what}: about the argument`);
    t.notMatch(res.stderr, /database/i, `${what}: not about the database`);
  }
});

t.test('create-admin needs a password source when not at a terminal; it never prompts', async (t) => {
  const dataDir = join(tempDir(t, 'register-cli-'), 'data');
  const args = ['create-admin', '--email', 'a@example.org', '--role', 'registrar'];
  const none = await cli(args, { DATA_DIR: dataDir });
  t.equal(none.code, 1);
  t.equal(none.stderr, 'No password: not at a terminal, so set REGISTER_ADMIN_PASSWORD in the environment or add --generate-password.\n');
  const short = await cli(args, { DATA_DIR: dataDir, REGISTER_ADMIN_PASSWORD: 'too short' });
  t.equal(short.code, 1);
  t.equal(short.stderr, 'REGISTER_ADMIN_PASSWORD: must be at least 12 characters\n');
  const both = await cli([...args, '--generate-password'], { DATA_DIR: dataDir, REGISTER_ADMIN_PASSWORD: 'a long enough passphrase' });
  t.equal(both.code, 1);
  t.match(both.stderr, /use one or the other/);
  t.notOk(existsSync(dataDir), 'decided before the database was opened');
});

t.test('a wrong setting is reported before anything else', async (t) => {
  const res = await cli(['audit-verify'], { DATABASE_URL: 'mysql://nope' });
  t.equal(res.code, 1);
  t.match(res.stderr, /^Invalid configuration:\n {2}DATABASE_URL: must be a postgres:\/\/ URL/);
});
