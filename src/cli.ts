import { relative } from 'node:path';
import { createProgress } from './cli/progress.ts';
import { runCli } from './cli/program.ts';

// `npm run cli -- <command>` in a checkout, `node dist/src/cli.js <command>` in the image; the
// usage lines show the invocation people actually typed.
const name = process.env.npm_lifecycle_event === 'cli' ? 'npm run cli --' : `node ${relative(process.cwd(), process.argv[1]!)}`;
const ctx = { env: process.env, progress: createProgress(process.stderr), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
process.exitCode = await runCli(process.argv.slice(2), ctx, name);
