import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.ts';
import type { Database } from './db/client.ts';
import { systemClock } from './lib/clock.ts';
import { systemContext } from './lib/context.ts';
import { createAuthService } from './modules/auth/auth-service.ts';
import { describeStartupError, openMigratedDatabase } from './runtime.ts';

type Command = (args: string[], env: { config: Config; database: Database }) => Promise<void>;

const usage = `Usage: npm run cli -- <command> [options]

  create-admin --email E --password P --role admin|registrar|assessor [--body com|cmc] [--name "Full Name"]
  audit-verify   recompute the audit hash chain: the count and head hash, or the first broken event (exit 1)
  compliance-run [--as-of YYYY-MM-DD]   run the compliance job for a date (default today in London; once per date)
  import-grandfathered FILE --body com|cmc [--dry-run]   bring existing members in (CSV or JSON; all or nothing)
  seed --mediators N   fake register entries for demos and benchmarks (the same N people every time)
`;

const commands: Record<string, Command> = {
  'import-grandfathered': async (args, { database }) => {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { body: { type: 'string' }, 'dry-run': { type: 'boolean' } } });
    const file = positionals[0];
    if (!file) throw new CliError('Name the file to import: import-grandfathered FILE --body com|cmc [--dry-run]');
    if (values.body !== 'com' && values.body !== 'cmc') throw new CliError('--body: com or cmc');
    const { readFile } = await import('node:fs/promises');
    const { readCsv, readJson } = await import('./modules/imports/import-file.ts');
    const { createImportsService } = await import('./modules/imports/imports-service.ts');
    const text = await readFile(file, 'utf8').catch((err: Error) => {
      throw new CliError(`Cannot read ${file}: ${err.message}`);
    });
    let rows;
    if (text.trimStart().startsWith('[')) {
      let data: unknown;
      try {
        data = JSON.parse(text.replace(/^\uFEFF/, ''));
      } catch (err) {
        throw new CliError(`${file}: not valid JSON (${(err as Error).message})`);
      }
      if (!Array.isArray(data)) throw new CliError(`${file}: a JSON file must hold an array of rows`);
      rows = readJson(data as Array<Record<string, unknown>>);
    } else rows = readCsv(text);
    const report = await createImportsService({ db: database.db, clock: systemClock }).importGrandfathered(systemContext(), values.body, rows, values['dry-run'] ?? false);
    for (const e of report.errors) console.error(`line ${e.line}: ${e.field}: ${e.message}`);
    const c = report.counts;
    console.log(`${report.dryRun ? 'Dry run' : report.written ? 'Imported' : 'Nothing written'}: ${c.rows} rows, ${c.create} to create, ${c.unchanged} unchanged, ${c.error} in error.`);
    if (report.errors.length) throw new CliError(`${c.error} row(s) in error${report.dryRun ? '' : '; nothing was written'}.`);
  },


  'audit-verify': async (_args, { database }) => {
    const { createAuditService } = await import('./modules/audit/audit-service.ts');
    const result = await createAuditService({ db: database.db }).verify();
    if (!result.valid) {
      const b = result.firstBreak!;
      throw new CliError(`Audit chain broken at event seq ${b.seq} (${b.reason}: expected ${b.expected}, found ${b.found}); ${result.checked - 1} events before it are intact.`);
    }
    console.log(result.checked === 0 ? 'Audit chain is empty.' : `Audit chain intact: ${result.checked} events, head hash ${result.headHash}.`);
  },

  'compliance-run': async (args, { database }) => {
    const { values } = parseArgs({ args, options: { 'as-of': { type: 'string' } } });
    const asOf = values['as-of'];
    const { DateSchema } = await import('../schemas/common.ts');
    if (asOf !== undefined && !DateSchema.safeParse(asOf).success) throw new CliError('--as-of: a date YYYY-MM-DD');
    const { createComplianceJob } = await import('./jobs/compliance-run.ts');
    const run = await createComplianceJob({ db: database.db, clock: systemClock }).runCompliance(asOf);
    const c = run.counts!;
    console.log(
      `${run.alreadyRun ? 'Already run' : 'Ran'} for ${run.asOf}: ${c.compliant} compliant, ${c.inGrace} in grace, ${c.nonCompliant} non-compliant, ` +
        `${c.exempt} exempt, ${c.lapsed} lapsed, ${run.remindersSent} reminders sent.`,
    );
  },

  'create-admin': async (args, { database }) => {
    const { values } = parseArgs({
      args,
      options: { email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' }, body: { type: 'string' }, name: { type: 'string' } },
    });
    const { z } = await import('zod');
    const { EmailSchema, PasswordSchema } = await import('../schemas/auth.ts');
    const parsed = z
      .object({
        email: EmailSchema,
        password: PasswordSchema,
        role: z.enum(['admin', 'registrar', 'assessor']),
        body: z.enum(['com', 'cmc']).optional(),
        name: z.string().trim().min(1).max(200).optional(),
      })
      .refine((v) => v.role !== 'admin' || v.body, { message: 'an admin needs --body com|cmc', path: ['body'] })
      .safeParse(values);
    if (!parsed.success) throw new CliError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
    const v = parsed.data;
    const auth = createAuthService({ db: database.db, clock: systemClock, signAccessToken: () => '', accessTokenTtlSeconds: 0, refreshTokenTtlDays: 0 });
    const user = await auth.createStaffAccount(systemContext(), {
      email: v.email,
      password: v.password,
      role: v.role,
      body: v.body ?? null,
      fullName: v.name ?? v.email,
    });
    console.log(`Created ${user.role}${user.body ? ` (${user.body})` : ''} ${user.email} (${user.id})`);
  },

  seed: async (args, { database }) => {
    const { values } = parseArgs({ args, options: { mediators: { type: 'string' } } });
    const count = Number(values.mediators);
    if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new CliError('--mediators: a whole number from 1 to 1000000');
    // Loaded on demand: faker is a dev dependency, absent from the production image.
    const { createSeedService } = await import('./modules/seed/seed-service.ts');
    const started = performance.now();
    const { before, after } = await createSeedService({ db: database.db, clock: systemClock }).seedMediators(systemContext(), count);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(after === before ? `${after} seeded mediators already exist; nothing to do.` : `Seeded ${after - before} mediators (${after} in all) in ${seconds} s.`);
  },
};

export class CliError extends Error {
  override name = 'CliError';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(name ? `Unknown command: ${name}\n\n${usage}` : usage);
    return 2;
  }
  let database: Database | undefined;
  try {
    const config = loadConfig(process.env);
    database = await openMigratedDatabase(config);
    await command(args, { config, database });
    return 0;
  } catch (err) {
    const e = err as { name?: string; message?: string; status?: number };
    if (e.name === 'CliError' || e.name === 'HttpProblem') console.error(e.message);
    else console.error(describeStartupError(err));
    return 1;
  } finally {
    await database?.close().catch(() => {});
  }
}

process.exitCode = await main(process.argv.slice(2));
