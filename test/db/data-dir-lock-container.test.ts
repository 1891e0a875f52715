import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PASSWORD } from '../helpers/app.ts';
import { pendingRegistrationsIn } from '../helpers/mail.ts';

// The server as Docker runs it: PID 1 of its own PID namespace, so every start has the same pid.
const root = new URL('../../', import.meta.url).pathname;
// --kill-child: killing unshare (as the teardown does) kills the namespace with it.
const UNSHARE = ['--pid', '--fork', '--mount-proc', '--kill-child'];
const probe = spawnSync('unshare', [...UNSHARE, 'true'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : `unshare --pid is not permitted here: ${probe.error?.message ?? probe.stderr.trim()}`;

const post = (url: string, body: object) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface Run {
  child: ChildProcess;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  output(): string;
}

function run(t: Test, command: string, args: string[], dataDir: string): Run {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info', COMPLIANCE_CRON: 'off', RATE_LIMIT_AUTH_PER_MINUTE: '100000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  // Only a hung process is killed here; nothing asserts on time.
  const hung = setTimeout(() => child.kill('SIGKILL'), 240_000);
  void exited.then(() => clearTimeout(hung));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  return { child, exited, output: () => output };
}

/** The server as PID 1 of a new PID namespace; resolves once it listens. */
async function startInNamespace(t: Test, dataDir: string) {
  const server = run(t, 'unshare', [...UNSHARE, process.execPath, '--import', 'tsx', 'src/server.ts'], dataDir);
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const found = /listening on (http:\/\/[^\s]+)/.exec(server.output());
      if (found) resolve(found[1]!);
    };
    server.child.stdout!.on('data', onData);
    server.child.stderr!.on('data', onData);
    void server.exited.then((end) => reject(new Error(`server exited (${end}) before listening:\n${server.output()}`)));
  });
  // unshare forks the namespace's init and waits for it; signals go to that init, as `docker kill` does.
  const init = childrenOf(server.child.pid!)[0]!;
  return { ...server, url, init };
}

function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // gone while we looked
      }
    })
    .map(Number);
}

function signal(pid: number, name: NodeJS.Signals) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

const lockNote = (dir: string) => readFileSync(join(dir, 'register.lock'), 'utf8');

t.test('in a container: a restart after SIGKILL is PID 1 again and takes the lock; a live holder is refused', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'register-pid1-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const email = 'pid1@example.org';

  const first = await startInNamespace(t, dir);
  t.match(lockNote(dir), /^1 /, 'it holds the lock as PID 1');
  t.equal((await post(`${first.url}/v1/auth/register`, { email, password: PASSWORD, fullName: 'Pid One' })).status, 202);
  signal(first.init, 'SIGKILL');
  t.not(await first.exited, 0, 'killed');
  t.notMatch(first.output(), /shutting down/, 'with no clean shutdown');
  t.match(lockNote(dir), /^1 /, 'its note is left behind, naming pid 1');

  const holder = await startInNamespace(t, dir);
  t.match(lockNote(dir), /^1 /, 'the new PID 1 took the lock');
  t.equal((await fetch(`${holder.url}/health`)).status, 200);

  const rival = run(t, 'unshare', [...UNSHARE, process.execPath, '--import', 'tsx', 'src/server.ts'], dir);
  t.equal(await rival.exited, 1, 'a second server, PID 1 of another namespace too, exits');
  t.match(rival.output(), /The data directory .+ is in use by another process \(pid 1 on host .+\)\. Stop it first, or use the admin endpoints/);
  const cli = run(t, process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit-verify'], dir);
  t.equal(await cli.exited, 1, 'a CLI command on the host exits');
  t.match(cli.output(), /is in use by another process \(pid 1 on host /);

  t.equal((await fetch(`${holder.url}/health`)).status, 200, 'the holder keeps serving');
  t.equal((await post(`${holder.url}/v1/auth/register`, { email: 'later@example.org', password: PASSWORD, fullName: 'Later' })).status, 202, 'and writing');
  signal(holder.init, 'SIGTERM');
  t.equal(await holder.exited, 0, 'and shuts down cleanly');
  t.notOk(existsSync(join(dir, 'register.lock')), 'removing its note');
  t.same([...(await pendingRegistrationsIn(dir))].sort(), ['later@example.org', email], 'the registration written before the kill is there, and the later one');
});
