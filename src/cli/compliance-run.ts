import type { Command } from 'commander';
import { parseAsOf } from './arguments.ts';
import { cliConfig, print, withDatabase, type CliContext } from './context.ts';

export function defineComplianceRun(program: Command, ctx: CliContext): void {
  program
    .command('compliance-run')
    .summary('run the compliance job for a date')
    .description(
      'Runs the annual compliance job as of a date: assesses periods that have ended, re-checks those in grace, lapses, sends reminders. ' +
        "Once per date: a repeat prints the first run's summary. Runs only go forward in time.",
    )
    .option('--as-of <date>', 'the date to run for, YYYY-MM-DD (default: today in London)', parseAsOf)
    .action(async (opts: { asOf?: string }) => {
      const config = await cliConfig(ctx);
      const run = await withDatabase(ctx, config, async (database) => {
        const { systemClock } = await import('../lib/clock.ts');
        const { createComplianceJob } = await import('../modules/compliance/compliance-job.ts');
        // The job is one transaction with no steps of its own to report; the line's clock shows it is alive.
        ctx.progress.show(`Running the compliance job${opts.asOf ? ` for ${opts.asOf}` : ''} (one transaction)`);
        const onUpkeepError = (err: unknown) => print(ctx, `Upkeep after the run failed (the run stands): ${err instanceof Error ? err.message : String(err)}`, 'stderr');
        return createComplianceJob({ db: database.db, clock: systemClock, removedVisibleYears: config.REGISTER_REMOVED_VISIBLE_YEARS, onUpkeepError }).runCompliance(opts.asOf);
      });
      const c = run.counts!;
      print(
        ctx,
        `${run.alreadyRun ? 'Already run' : 'Ran'} for ${run.asOf}: ${c.compliant} compliant, ${c.inGrace} in grace, ${c.nonCompliant} non-compliant, ` +
          `${c.exempt} exempt, ${c.lapsed} lapsed, ${run.remindersSent} reminders sent.`,
      );
    });
}
