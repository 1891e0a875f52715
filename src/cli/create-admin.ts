import { Option, type Command } from 'commander';
import { BODIES, STAFF_ROLES, type Body } from '../domain/vocabulary.ts';
import { parseEmail, parseName } from './arguments.ts';
import { adminPassword, PASSWORD_ENV, PASSWORD_ON_ARGV } from './admin-password.ts';
import { cliConfig, print, withDatabase, type CliContext } from './context.ts';

interface CreateAdminOptions {
  email: string;
  role: (typeof STAFF_ROLES)[number];
  body?: Body;
  name?: string;
  generatePassword?: boolean;
}

export function defineCreateAdmin(program: Command, ctx: CliContext): void {
  const command: Command = program
    .command('create-admin')
    .summary('create a staff account (admin, registrar or assessor)')
    .description('Creates a staff account that can sign in at once. An admin belongs to one body (--body); a registrar or assessor may name one.')
    .requiredOption('--email <email>', 'the address the account signs in with', parseEmail)
    .addOption(new Option('--role <role>', 'what the account may do').choices(STAFF_ROLES).makeOptionMandatory())
    .addOption(new Option('--body <body>', 'home body: College of Mediators or Civil Mediation Council (required for an admin)').choices(BODIES))
    .option('--name <name>', 'full name (default: the email address)', parseName)
    .option('--generate-password', 'generate a strong password and print it once')
    // Accepted only to say why it is refused: parsed while argv is read, the value is never echoed.
    .addOption(
      new Option('--password [password]')
        .hideHelp()
        .preset('')
        .argParser((): never => command.error(`error: ${PASSWORD_ON_ARGV}`, { exitCode: 2, code: 'register.passwordOnArgv' })),
    )
    .addHelpText(
      'after',
      `
The password is never taken from the command line:
  at a terminal        you are asked for it twice; nothing is shown as you type
  not at a terminal    set ${PASSWORD_ENV} in the environment of the command
  --generate-password  a random password, printed once after the account is created

Examples:
  ${program.name()} create-admin --email registrar@example.org --role registrar
  ${PASSWORD_ENV}="$(cat /run/secrets/admin-password)" ${program.name()} create-admin --email admin@com.example --role admin --body com`,
    )
    .action(async (opts: CreateAdminOptions) => {
      if (opts.role === 'admin' && !opts.body) command.error('error: an admin belongs to one body: add --body com or --body cmc', { exitCode: 2 });
      const config = await cliConfig(ctx);
      const { password, generated } = await adminPassword(ctx, opts.generatePassword ?? false, [opts.email, opts.name ?? '']);
      const user = await withDatabase(ctx, config, async (database) => {
        ctx.progress.show('Creating the account');
        const { systemClock } = await import('../lib/clock.ts');
        const { systemContext } = await import('../lib/context.ts');
        const { createAuthService } = await import('../modules/auth/auth-service.ts');
        // Only createStaffAccount is used: it signs no tokens, so the token settings do not matter.
        const auth = createAuthService({ db: database.db, clock: systemClock, signAccessToken: () => '', accessTokenTtlSeconds: 0, refreshTokenTtlDays: 0 });
        return auth.createStaffAccount(systemContext(), { email: opts.email, password, role: opts.role, body: opts.body ?? null, fullName: opts.name ?? opts.email });
      });
      print(ctx, `Created ${user.role}${user.body ? ` (${user.body})` : ''} ${user.email} (${user.id})`);
      if (generated) print(ctx, `Password (shown once; store it now): ${password}`);
    });
}
