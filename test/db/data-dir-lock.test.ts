import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.ts';

const root = new URL('../../', import.meta.url).pathname;

function tempDir(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'register-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const note = (dir: string) => readFileSync(join(dir, 'register.lock'), 'utf8');

/** Another process that takes the lock and keeps it until killed. */
async function holdInChild(t: Test, dir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', "import { lockDataDir } from './src/db/data-dir-lock.ts'; lockDataDir(process.env.DIR); console.log('locked'); setInterval(() => {}, 60_000);"],
    { cwd: root, env: { ...process.env, DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    void exited.then(() => reject(new Error('the holder exited before locking')));
  });
  return { pid: child.pid!, kill: () => (child.kill('SIGKILL'), exited) };
}

t.test('a second lock in the same process is refused while the first is held', async (t) => {
  const dir = tempDir(t);
  const release = lockDataDir(dir);
  t.match(note(dir), new RegExp(`^${process.pid} `), 'the holder is named');
  t.throws(() => lockDataDir(dir), DataDirLockedError);
  release();
  t.notOk(existsSync(join(dir, 'register.lock')), 'the note goes on release');
  lockDataDir(dir)();
  t.pass('taken again after release');
});

t.test('a live holder in another process is refused, with its pid and host; once it is killed the lock is taken at once', async (t) => {
  const dir = tempDir(t);
  const holder = await holdInChild(t, dir);
  t.throws(() => lockDataDir(dir), {
    name: 'DataDirLockedError',
    message: new RegExp(`in use by another process \\(pid ${holder.pid} on host .+, since .+\\)\\. Stop it first`),
  });
  t.equal(await holder.kill(), 'SIGKILL');
  t.match(note(dir), new RegExp(`^${holder.pid} `), 'the dead holder left its note behind');
  const release = lockDataDir(dir);
  t.teardown(release);
  t.match(note(dir), new RegExp(`^${process.pid} `), 'and the new holder replaced it');
});

t.test('a note left by a dead holder does not block, even when its pid is alive (PID 1 in a container)', async (t) => {
  const dir = tempDir(t);
  // What a SIGKILLed container leaves: the pid it had, which the next start has again.
  writeFileSync(join(dir, 'register.lock'), `1 old-container 2026-01-01T00:00:00.000Z\n`);
  const release = lockDataDir(dir);
  t.teardown(release);
  t.match(note(dir), new RegExp(`^${process.pid} `));
});
