import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.ts';
import { createProgress } from '../../src/cli/progress.ts';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  /** What a terminal on stderr would have received (progress lines), when `tty` was asked for. */
  terminal: string;
}

/**
 * The CLI's own runCli in this process, with the environment given (nothing of the test's own),
 * stdin not a terminal, and stdout and stderr captured. With `tty`, progress goes to a fake
 * terminal instead of nowhere.
 */
export async function cli(args: string[], env: Record<string, string>, opts: { tty?: boolean } = {}): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  let terminal = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
  const progressStream = { isTTY: opts.tty ?? false, columns: 200, write: (s: string) => ((terminal += s), true) } as unknown as NodeJS.WriteStream;
  const ctx = {
    env: { LOG_LEVEL: 'silent', ...env },
    progress: createProgress(progressStream),
    stdin,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  };
  const code = await runCli(args, ctx, 'cli');
  return { code, stdout, stderr, terminal };
}
