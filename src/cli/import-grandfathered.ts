import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { RawRow } from '../modules/imports/import-file.ts';
import type { ImportProgress } from '../modules/imports/imports-service.ts';
import { BODIES, type Body } from '../domain/vocabulary.ts';
import { parseReadableFile } from './arguments.ts';
import { CliError, cliConfig, print, withDatabase, type CliContext } from './context.ts';
import { count } from './progress.ts';

export function defineImportGrandfathered(program: Command, ctx: CliContext): void {
  program
    .command('import-grandfathered')
    .summary('bring existing members in from a CSV or JSON file (all or nothing)')
    .description(
      'Imports grandfathered members of one body from a CSV file with a header row or a JSON array of rows. ' +
        'Every row is checked first; if any row is wrong, each error is printed with its line and nothing is written (exit 1). ' +
        'A member already on the register as the same person is reported unchanged, so a file can be imported again.',
    )
    .argument('<file>', 'the CSV or JSON file', parseReadableFile)
    .addOption(new Option('--body <body>', 'the body the members belong to').choices(BODIES).makeOptionMandatory())
    .option('--dry-run', 'check every row and report, writing nothing')
    .action(async (file: string, opts: { body: Body; dryRun?: boolean }) => {
      const config = await cliConfig(ctx);
      ctx.progress.show(`Reading ${file}`);
      const rows = await readRows(file);
      const report = await withDatabase(ctx, config, async (database) => {
        const { systemClock } = await import('../lib/clock.ts');
        const { systemContext } = await import('../lib/context.ts');
        const { createImportsService } = await import('../modules/imports/imports-service.ts');
        const { publicBaseUrl } = await import('../lib/public-url.ts');
        ctx.progress.show(`Checking ${count(rows.length)} rows`);
        const onProgress = (p: ImportProgress) =>
          ctx.progress.show(
            p.phase === 'validated' ? `${count(p.valid)} of ${count(p.rows)} rows valid; checking them against the register` : `Writing: ${count(p.done)} of ${count(p.total)} new members`,
          );
        return createImportsService({ db: database.db, clock: systemClock, publicUrl: () => publicBaseUrl(config) }).importGrandfathered(
          systemContext(),
          opts.body,
          rows,
          opts.dryRun ?? false,
          onProgress,
        );
      });
      for (const e of report.errors) print(ctx, `line ${e.line}: ${e.field}: ${e.message}`, 'stderr');
      const c = report.counts;
      print(ctx, `${report.dryRun ? 'Dry run' : report.written ? 'Imported' : 'Nothing written'}: ${c.rows} rows, ${c.create} to create, ${c.unchanged} unchanged, ${c.error} in error.`);
      if (report.errors.length) throw new CliError(`${c.error} row(s) in error${report.dryRun ? '' : '; nothing was written'}.`);
    });
}

/** The file's rows, before the database is opened: a file that is not CSV or JSON costs nothing. */
async function readRows(file: string): Promise<RawRow[]> {
  const { readCsv, readJson } = await import('../modules/imports/import-file.ts');
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new CliError(`Cannot read ${file}: ${err.message}`);
  });
  if (!text.trimStart().startsWith('[')) return readCsv(text);
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new CliError(`${file}: a JSON file must hold an array of rows`);
  return readJson(data as Array<Record<string, unknown>>);
}
