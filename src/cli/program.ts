import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { defineAuditVerify } from './audit-verify.ts';
import { defineComplianceRun } from './compliance-run.ts';
import { describeFailure, print, type CliContext } from './context.ts';
import { defineCreateAdmin } from './create-admin.ts';
import { defineImportGrandfathered } from './import-grandfathered.ts';
import { defineResetSecondFactor } from './reset-second-factor.ts';
import { defineSeed } from './seed.ts';
import { defineStatementKeygen } from './statement-keygen.ts';

/**
 * Runs one command line and answers its exit code: 0 done (help and --version included), 1 the
 * command failed, 2 the command line is wrong (reported before anything is opened).
 */
export async function runCli(argv: string[], ctx: CliContext, name: string): Promise<number> {
  try {
    await buildProgram(ctx, name).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    ctx.progress.clear();
    // Commander has already printed its message (or the help or version asked for).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    print(ctx, describeFailure(err), 'stderr');
    return 1;
  }
}

/**
 * The operator commands. Commander reads and checks the whole command line (commands, options,
 * choices, dates, counts, files) before any action runs; actions open the database last.
 */
function buildProgram(ctx: CliContext, name: string): Command {
  // Set before the commands are added, which inherit them.
  const program = new Command(name)
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    // Errors come back to runCli as exceptions: it owns the exit code and closes what is open.
    .exitOverride()
    .description('Operator commands for the SEND mediator register.')
    .version(pkg.version, '-V, --version', 'print the version')
    .addHelpText(
      'after',
      `
Database: the same settings as npm start. DATABASE_URL (with JWT_SECRET) selects PostgreSQL;
otherwise the embedded database in DATA_DIR (default ./data), held by one process at a time.
Exit code: 0 on success, 1 when the command fails, 2 when the command line is wrong.`,
    );
  defineCreateAdmin(program, ctx);
  defineResetSecondFactor(program, ctx);
  defineImportGrandfathered(program, ctx);
  defineComplianceRun(program, ctx);
  defineAuditVerify(program, ctx);
  defineSeed(program, ctx);
  defineStatementKeygen(program, ctx);
  return program;
}
