import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { openDatabase } from '../../src/db/client.ts';
import { freshDatabase } from '../helpers/database.ts';

export const root = new URL('../../', import.meta.url).pathname;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `node --import tsx src/cli.ts ...args`, stdin closed (not a terminal). The environment is the
 * test's without any database setting, plus `env`: each test says which database it means.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { DATABASE_URL: _u, DATA_DIR: _d, REGISTER_ADMIN_PASSWORD: _p, ...rest } = process.env;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: root, env: { ...rest, LOG_LEVEL: 'silent', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
    child.stdin!.end();
  });
}

export function tempDir(t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A PGlite data directory already migrated, unpacked from the test template: the CLI opening it
 * skips initdb and the migrations, which cost the most time of a run.
 */
export async function migratedDataDir(t: Test): Promise<string> {
  const fresh = await freshDatabase('pglite');
  const dump = await fresh.database.pglite!.dumpDataDir('none');
  await fresh.drop();
  const dataDir = join(tempDir(t, 'register-cli-'), 'data');
  mkdirSync(dataDir);
  execFileSync('tar', ['-xf', '-', '-C', dataDir], { input: Buffer.from(await dump.arrayBuffer()), stdio: ['pipe', 'ignore', 'ignore'] });
  return dataDir;
}

/** Opens a data directory the CLI wrote, as the server would next; closed when the test ends. */
export async function openDataDir(t: Test, dataDir: string) {
  const database = await openDatabase({ kind: 'pglite', dataDir });
  t.teardown(() => database.close());
  return database;
}
