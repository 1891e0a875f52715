import { loadConfig, type Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { HttpProblem } from '../errors.ts';
import type { Progress } from './progress.ts';

export interface Output {
  write(text: string): unknown;
}

/** What every command receives from the entry point, instead of reaching for globals. */
export interface CliContext {
  /** The process environment, read here only: database settings and the admin password variable. */
  env: NodeJS.ProcessEnv;
  progress: Progress;
  /** Where a password is typed, when it is a terminal. */
  stdin: NodeJS.ReadStream;
  /** Results. */
  stdout: Output;
  /** Errors and prompts. */
  stderr: Output;
}

/** Final lines: the live progress line goes first, so the two never share a line of the terminal. */
export function print(ctx: CliContext, line: string, to: 'stdout' | 'stderr' = 'stdout'): void {
  ctx.progress.clear();
  ctx[to].write(`${line}\n`);
}

/** A failure the person running the command can act on; printed as its message alone. */
export class CliError extends Error {
  override name = 'CliError';
}

/** The settings, read before any input is gathered: a wrong DATABASE_URL should not cost a typed password. */
export async function cliConfig(ctx: CliContext): Promise<Config> {
  try {
    return loadConfig(ctx.env);
  } catch (err) {
    const { describeStartupError } = await import('../runtime.ts');
    throw new CliError(describeStartupError(err));
  }
}

/**
 * Opens and migrates the database, runs the work, closes it. Called only once every argument and
 * input has been checked, so a typo never migrates a database or holds a PGlite directory.
 */
export async function withDatabase<T>(ctx: CliContext, config: Config, work: (database: Database) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: --help and argument errors should not load the database drivers.
  const { describeStartupError, openMigratedDatabase } = await import('../runtime.ts');
  ctx.progress.show(config.database.kind === 'postgres' ? 'Connecting to PostgreSQL and applying migrations' : 'Opening the database and applying migrations');
  let database: Database;
  try {
    database = await openMigratedDatabase(config);
  } catch (err) {
    throw new CliError(describeStartupError(err));
  }
  try {
    return await work(database);
  } finally {
    await database.close().catch(() => {});
  }
}

/** One line for any failure: ours and the services' as written, anything else by its root cause. */
export function describeFailure(err: unknown): string {
  if (err instanceof CliError || err instanceof HttpProblem) return err.message;
  // The driver's wrapper repeats the whole statement and its parameters; the cause is the database's own words.
  let root = err as { message?: string; cause?: unknown };
  while (root.cause && typeof root.cause === 'object') root = root.cause as typeof root;
  return `Failed: ${(root.message ?? String(err)).split('\n')[0]}`;
}
