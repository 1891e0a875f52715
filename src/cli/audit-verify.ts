import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { defaultOrigin, resolveAuditSigningKey } from '../lib/audit-signing-key.ts';
import { generateKey, isValidKeyName, NoteError, openCheckpoint, type Checkpoint } from '../lib/transparency/signed-note.ts';
import { parseReadableFile } from './arguments.ts';
import { CliError, cliConfig, print, withDatabase, type CliContext } from './context.ts';

export function defineAuditVerify(program: Command, ctx: CliContext): void {
  program
    .command('audit-verify')
    .summary('recompute the audit log and check it against a checkpoint kept outside')
    .description(
      'Recomputes every leaf of the audit log from its event and the tree from the leaves, checks the newest stored checkpoint, ' +
        'and prints it. With --checkpoint FILE (a checkpoint kept outside the system), also checks that FILE is signed by this ' +
        "log's key and that today's log extends it. Exits 1 on any problem.",
    )
    .addOption(new Option('--checkpoint <file>', 'a signed checkpoint saved earlier (from GET /v1/transparency/checkpoint)').argParser(parseReadableFile))
    .action(async (options: { checkpoint?: string }) => {
      const config = await cliConfig(ctx);
      const key = resolveAuditSigningKey(config);
      const trusted: Checkpoint[] = [];
      if (options.checkpoint) {
        const note = await readFile(options.checkpoint, 'utf8');
        try {
          trusted.push(openCheckpoint(note, key.verifier, key.origin));
        } catch (err) {
          if (err instanceof NoteError) throw new CliError(`${options.checkpoint} is not a checkpoint signed by this log's key (${key.verifierKey}): ${err.message}.`);
          throw err;
        }
      }
      const result = await withDatabase(ctx, config, async (database) => {
        const { createLogService } = await import('../modules/audit/log-service.ts');
        ctx.progress.show('Recomputing the audit log');
        return createLogService({ db: database.db, key }).verify({ trusted });
      });
      if (!result.valid) {
        const p = result.firstProblem!;
        throw new CliError(`Audit log check failed (${p.problem}): ${p.detail}`);
      }
      const pending = result.unsealedEvents ? ` (${result.unsealedEvents} newer events not sealed yet)` : '';
      print(ctx, `Audit log intact: ${result.checked} leaves recomputed${pending}.`);
      if (trusted.length) print(ctx, `It extends the checkpoint in ${options.checkpoint} (tree size ${trusted[0]!.size}).`);
      if (result.checkpoint) print(ctx, `Newest checkpoint:\n\n${result.checkpoint}`);
    });

  program
    .command('audit-keygen')
    .summary("create the audit log's signing key (AUDIT_SIGNING_KEY) and its verifier key")
    .description(
      'Prints a new Ed25519 key pair in signed-note form. Put the signer key in AUDIT_SIGNING_KEY (a secret, never in the database); ' +
        'publish the verifier key. The origin names the log in every checkpoint: a host and path, e.g. register.example.org/audit.',
    )
    .argument('[origin]', 'the log name (no spaces or "+"); default from PUBLIC_URL')
    .action(async (origin: string | undefined) => {
      // Not the whole configuration: it is this key that makes a PostgreSQL configuration complete.
      const name = origin ?? defaultOrigin({ PUBLIC_URL: ctx.env.PUBLIC_URL?.trim() || undefined });
      if (!isValidKeyName(name)) throw new CliError(`The origin ${JSON.stringify(name)} cannot name a key: no spaces or "+".`);
      const { signerKey, verifierKey } = generateKey(name);
      print(ctx, `AUDIT_SIGNING_KEY=${signerKey}`);
      print(ctx, `Verifier key (publish it): ${verifierKey}`);
    });
}
