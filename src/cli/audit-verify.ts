import type { Command } from 'commander';
import { CliError, cliConfig, print, withDatabase, type CliContext } from './context.ts';

export function defineAuditVerify(program: Command, ctx: CliContext): void {
  program
    .command('audit-verify')
    .summary('recompute the audit hash chain')
    .description('Recomputes the audit hash chain from the first event: prints the count and head hash, or names the first broken event and exits 1.')
    .action(async () => {
      const config = await cliConfig(ctx);
      const result = await withDatabase(ctx, config, async (database) => {
        const { createAuditService } = await import('../modules/audit/audit-service.ts');
        ctx.progress.show('Recomputing the audit chain');
        return createAuditService({ db: database.db }).verify();
      });
      if (!result.valid) {
        const b = result.firstBreak!;
        throw new CliError(`Audit chain broken at event seq ${b.seq} (${b.reason}: expected ${b.expected}, found ${b.found}); ${result.checked - 1} events before it are intact.`);
      }
      print(ctx, result.checked === 0 ? 'Audit chain is empty.' : `Audit chain intact: ${result.checked} events, head hash ${result.headHash}.`);
    });
}
