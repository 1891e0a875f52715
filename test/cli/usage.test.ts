import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { root, runCli, tempDir } from './cli-process.ts';

// The entry point as a process: exit codes, which stream gets what. Each case of every command
// line is in arguments.test.ts, run in this process.

t.test('node src/cli.ts: help, an unknown command, a wrong argument, a refused password', async (t) => {
  const dataDir = join(tempDir(t, 'register-cli-'), 'data');
  const [help, unknown, badDate, password] = await Promise.all([
    runCli(['--help'], { DATA_DIR: dataDir }),
    runCli(['sed'], { DATA_DIR: dataDir }),
    runCli(['compliance-run', '--as-of', '2025-02-30'], { DATA_DIR: dataDir }),
    runCli(['create-admin', '--email', 'a@example.org', '--role', 'registrar', '--password', 'hunter2hunter2'], { DATA_DIR: dataDir }),
  ]);
  t.equal(help.code, 0);
  t.match(help.stdout, /^Usage: node src\/cli\.ts \[options\] \[command\]/);
  t.equal(help.stderr, '');
  t.equal(unknown.code, 2);
  t.equal(unknown.stderr, "error: unknown command 'sed'\n(Did you mean seed?)\n");
  t.equal(badDate.code, 2);
  t.equal(badDate.stderr, "error: option '--as-of <date>' argument '2025-02-30' is invalid. That day does not exist.\n");
  t.equal(password.code, 2);
  t.match(password.stderr, /^error: --password is not accepted/);
  t.notMatch(password.stdout + password.stderr, /hunter2/);
  t.notOk(existsSync(dataDir), 'none of them opened the database');
});

t.test('npm run cli -- --help works and prints nothing secret', async (t) => {
  const secret = 'a-secret-that-must-not-be-printed';
  const out = await new Promise<{ code: number; text: string }>((resolve) =>
    execFile('npm', ['run', 'cli', '--', '--help'], { cwd: root, env: { ...process.env, REGISTER_ADMIN_PASSWORD: secret, JWT_SECRET: secret } }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, text: stdout + stderr }),
    ),
  );
  t.equal(out.code, 0);
  t.match(out.text, /^Usage: npm run cli -- \[options\] \[command\]/m, 'the usage names the npm invocation');
  t.notMatch(out.text, new RegExp(secret));
});
