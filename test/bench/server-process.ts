import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMiB(): number;
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript entry point as a child process and waits for the line naming the URL it
 * listens on (the API's start-up line, or a baseline's). Node runs it directly, so the pid is the
 * server's own and /proc/<pid>/status describes its memory.
 */
export async function startServer(entry: string, env: Record<string, string>, timeoutMs = 120_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${entry} did not start within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`${entry} exited with code ${code} before listening`));
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr.join('').slice(-2000)}`));
    };
    // Every line is read (and dropped) for the whole life of the process, so a logging server never
    // blocks on a full pipe.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (https?:\/\/[^\s"()]+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(m[1]!);
      }
    });
    child.once('exit', onExit);
  });
  return {
    url,
    pid: child.pid!,
    peakRssMiB: () => peakRssMiB(child.pid!),
    stop: () => stopChild(child),
  };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s+(\d+) kB/.exec(status);
  return kb ? Math.round(Number(kb[1]) / 1024) : NaN;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(force);
}
