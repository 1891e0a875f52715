import type { Command } from 'commander';
import { parseEmail } from './arguments.ts';
import { CliError, cliConfig, print, withDatabase, type CliContext } from './context.ts';

/** The way back for a staff member no registrar can reset: the last registrar, device and recovery codes lost. */
export function defineResetSecondFactor(program: Command, ctx: CliContext): void {
  program
    .command('reset-second-factor')
    .summary("turn off a staff account's second factor (lost device)")
    .description('Turns off the TOTP second factor of a staff account, deletes its recovery codes and ends its sessions (audited). The person signs in with their password and enrols again.')
    .requiredOption('--email <email>', 'the account', parseEmail)
    .action(async (opts: { email: string }) => {
      const config = await cliConfig(ctx);
      const user = await withDatabase(ctx, config, async (database) => {
        const { eq } = await import('drizzle-orm');
        const { users } = await import('../db/schema.ts');
        const { systemClock } = await import('../lib/clock.ts');
        const { systemContext } = await import('../lib/context.ts');
        const { resetSecondFactor } = await import('../modules/auth/second-factor-service.ts');
        const [found] = await database.db.select({ id: users.id, email: users.email }).from(users).where(eq(users.email, opts.email));
        if (!found) throw new CliError(`No account has the email ${opts.email}.`);
        await resetSecondFactor(database.db, systemClock, systemContext(), found.id);
        return found;
      });
      print(ctx, `Second factor of ${user.email} turned off; their sessions have ended. They sign in with their password and enrol again.`);
    });
}
