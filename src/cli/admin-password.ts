import { randomBytes } from 'node:crypto';
import { PasswordLengthSchema } from '../../schemas/auth.ts';
import { passwordWeakness } from '../lib/password-strength.ts';
import { CliError, type CliContext } from './context.ts';
import { readHidden } from './hidden-prompt.ts';

/** Where create-admin takes the password from when not at a terminal (Docker, CI, scripts). */
export const PASSWORD_ENV = 'REGISTER_ADMIN_PASSWORD';
const PROMPT_ATTEMPTS = 3;

export const PASSWORD_ON_ARGV =
  `--password is not accepted: a password on the command line is echoed by npm, shown by ps to every user of the machine and kept in shell history. ` +
  `Run without it at a terminal to be asked for it, set ${PASSWORD_ENV} in the environment, or add --generate-password. ` +
  `If you typed a real password, treat it as exposed and choose another.`;

export interface AdminPassword {
  password: string;
  /** Generated here: print it once, after the account exists. */
  generated: boolean;
}

/**
 * The new account's password, from the one source the situation allows: generated on request,
 * the environment variable, or a hidden prompt at a terminal (typed twice). Never from argv.
 */
export async function adminPassword(ctx: CliContext, generate: boolean, details: readonly string[] = []): Promise<AdminPassword> {
  const fromEnv = ctx.env[PASSWORD_ENV];
  if (generate) {
    if (fromEnv) throw new CliError(`${PASSWORD_ENV} is set and --generate-password was given: use one or the other.`);
    // 24 random bytes: 192 bits, 32 URL-safe characters that survive copy and paste.
    return { password: randomBytes(24).toString('base64url'), generated: true };
  }
  if (fromEnv) {
    const problem = passwordProblem(fromEnv, details);
    if (problem) throw new CliError(`${PASSWORD_ENV}: ${problem}`);
    return { password: fromEnv, generated: false };
  }
  if (!ctx.stdin.isTTY) {
    throw new CliError(`No password: not at a terminal, so set ${PASSWORD_ENV} in the environment or add --generate-password.`);
  }
  for (let attempt = 1; attempt <= PROMPT_ATTEMPTS; attempt++) {
    const password = await readHidden('Password for the new account: ', ctx.stdin, ctx.stderr);
    const problem = passwordProblem(password, details);
    if (problem) {
      ctx.stderr.write(`The password ${problem}.\n`);
      continue;
    }
    if ((await readHidden('Type it again: ', ctx.stdin, ctx.stderr)) === password) return { password, generated: false };
    ctx.stderr.write('The two entries differ.\n');
  }
  throw new CliError(`No password after ${PROMPT_ATTEMPTS} attempts; no account was created.`);
}

/** The same rule as every other password in the register, the account's own email and name included. */
function passwordProblem(password: string, details: readonly string[]): string | undefined {
  const length = PasswordLengthSchema.safeParse(password).error?.issues[0]?.message;
  if (length) return length;
  return passwordWeakness(password, details);
}
