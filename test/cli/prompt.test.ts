import { spawn, spawnSync } from 'node:child_process';
import t from 'tap';
import { buildApp } from '../../src/app.ts';
import { JWT_SECRET, testConfig } from '../helpers/app.ts';
import { migratedDataDir, openDataDir, root } from './cli-process.ts';

// A real terminal for the child: util-linux `script` runs it on a pseudo-terminal and forwards
// what the test writes as keystrokes. Everything the terminal showed comes back on stdout.
const hasScript = spawnSync('script', ['--version']).status === 0;
const PASSWORD = 'typed at a terminal, twice';

t.test('create-admin at a terminal: a hidden prompt, typed twice, and progress', { skip: !hasScript && 'needs util-linux script' }, async (t) => {
  const dataDir = await migratedDataDir(t);
  const command = `${process.execPath} --import tsx src/cli.ts create-admin --email prompted@example.org --role assessor`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, REGISTER_ADMIN_PASSWORD: '', LOG_LEVEL: 'silent' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  let screen = '';
  const waiting: Array<{ text: string; count: number; resolve: () => void }> = [];
  const occurrences = (text: string) => screen.split(text).length - 1;
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString();
    for (const w of waiting.splice(0)) occurrences(w.text) >= w.count ? w.resolve() : waiting.push(w);
  });
  /** Waits until `text` has appeared `count` times on the terminal. */
  const shown = (text: string, count = 1) =>
    new Promise<void>((resolve, reject) => {
      if (occurrences(text) >= count) return resolve();
      waiting.push({ text, count, resolve });
      void exited.then(() => reject(new Error(`exited before showing ${JSON.stringify(text)}:\n${screen}`)));
    });
  const type = (keys: string) => child.stdin.write(keys);

  await shown('Password for the new account: ');
  type('too short\r');
  await shown('The password must be at least 12 characters.');
  await shown('Password for the new account: ', 2);
  type(`${PASSWORD}\r`);
  await shown('Type it again: ');
  type('something else entirely\r');
  await shown('The two entries differ.');
  await shown('Password for the new account: ', 3);
  // A slip corrected with backspace, and an arrow key: neither ends up in the password.
  type(`x\x7f${PASSWORD}\x1b[D\r`);
  await shown('Type it again: ', 2);
  type(`${PASSWORD}\r`);
  t.equal(await exited, 0, screen);
  child.stdin.end();

  t.match(screen, /Created assessor prompted@example\.org \([0-9a-f-]{36}\)/);
  t.notMatch(screen, PASSWORD, 'the password never appeared on the terminal');
  t.notMatch(screen, 'too short', 'nor the refused one');
  t.match(screen, 'Opening the database and applying migrations', 'progress is shown on a terminal');

  const app = await buildApp(testConfig(), { database: await openDataDir(t, dataDir), jwtSecret: JWT_SECRET });
  t.teardown(() => app.close());
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'prompted@example.org', password: PASSWORD } });
  t.equal(login.statusCode, 200, 'the account signs in with the password typed');
});
