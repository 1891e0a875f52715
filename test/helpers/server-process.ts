import { spawn, type ChildProcess } from 'node:child_process';
import type { Test } from 'tap';

const root = new URL('../../', import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** The exit code, or null when a signal ended it. */
  exited: Promise<number | null>;
  /** Everything it has logged so far. */
  output(): string;
}

/**
 * `node --import tsx src/server.ts` as operators run it, on the database `env` names (a PGlite
 * directory by default); resolves once it listens, and is killed when the test ends.
 */
export async function startServer(t: Test, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', PORT: '0', LOG_LEVEL: 'info', COMPLIANCE_CRON: 'off', RATE_LIMIT_AUTH_PER_MINUTE: '100000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    child.kill('SIGKILL');
    return exited;
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const found = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (found) resolve(found[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}
