import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.ts';
import { DataDirLockedError } from '../../src/db/data-dir-lock.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { users } from '../../src/db/schema.ts';
import { AUDIT_SIGNING_KEY } from '../helpers/app.ts';

const root = new URL('../../', import.meta.url).pathname;

function tempDir(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'register-pglite-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the server as a real process and resolves with its exit code and output. */
function runServer(env: Record<string, string>, { until, signal }: { until?: RegExp; signal?: NodeJS.Signals } = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', COMPLIANCE_CRON: 'off', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString();
      if (until && signal && until.test(output)) child.kill(signal);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // Only a hung server is killed; a loaded machine may take a minute or more to initdb.
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

t.test('committed writes survive a restart of a file PGlite', async (t) => {
  const dir = tempDir(t);
  const first = await openDatabase({ kind: 'pglite', dataDir: dir });
  await migrateDatabase(first);
  await first.db.insert(users).values({ email: 'kept@example.org', fullName: 'Kept' });
  await first.close();
  const second = await openDatabase({ kind: 'pglite', dataDir: dir });
  t.teardown(() => second.close());
  const rows = await second.db.select().from(users).where(eq(users.email, 'kept@example.org'));
  t.equal(rows.length, 1);
});

t.test('the data directory is held by one process at a time', async (t) => {
  const dir = tempDir(t);
  const holder = await openDatabase({ kind: 'pglite', dataDir: dir });
  t.teardown(() => holder.close());
  await t.rejects(openDatabase({ kind: 'pglite', dataDir: dir }), DataDirLockedError, 'in-process second open refused');
  const { code, output } = await runServer({ DATA_DIR: dir });
  t.not(code, 0, 'a second server exits');
  t.match(output, /in use by another process/);
});

t.test('the server starts, serves, and closes cleanly on SIGTERM, releasing the directory', async (t) => {
  const dir = tempDir(t);
  const { code, output } = await runServer({ DATA_DIR: dir }, { until: /listening on http/, signal: 'SIGTERM' });
  t.match(output, /SEND Mediator Register listening on http:\/\/127\.0\.0\.1:\d+/);
  t.equal(code, 0, 'clean exit');
  t.notOk(existsSync(join(dir, 'register.lock')), 'lock released');
  const again = await openDatabase({ kind: 'pglite', dataDir: dir });
  await again.close();
  t.pass('directory can be opened again');
});

t.test('a closed PostgreSQL port is a clear start-up error', async (t) => {
  const { code, output } = await runServer({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', JWT_SECRET: 'x'.repeat(40), AUDIT_SIGNING_KEY });
  t.equal(code, 1);
  t.match(output, /Cannot reach the database at DATABASE_URL/);
});
