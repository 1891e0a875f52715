import type { Command } from 'commander';
import { newStatementKey } from '../lib/statement-key.ts';
import { print, type CliContext } from './context.ts';

export function defineStatementKeygen(program: Command, ctx: CliContext): void {
  program
    .command('statement-keygen')
    .summary('create a signing key for status statements (STATEMENT_SIGNING_KEY)')
    .description(
      "Prints a new Ed25519 private JWK, its kid the key's thumbprint, and nothing else: the value of STATEMENT_SIGNING_KEY (a secret, never in the database). " +
        'When it is rotated out, its public part (the same JSON without "d") goes into STATEMENT_RETIRED_KEYS until the statements it signed have expired.',
    )
    .action(async () => {
      print(ctx, JSON.stringify(newStatementKey()));
    });
}
