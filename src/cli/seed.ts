import type { Command } from 'commander';
import { MAX_SEED, parseMediatorCount } from './arguments.ts';
import { CliError, cliConfig, print, withDatabase, type CliContext } from './context.ts';
import { count } from './progress.ts';
import type { Database } from '../db/client.ts';
import type { Clock } from '../lib/clock.ts';
import type { RequestContext } from '../lib/context.ts';

export function defineSeed(program: Command, ctx: CliContext): void {
  program
    .command('seed')
    .summary('fake register entries for demos and benchmarks')
    .description(
      'Makes sure the first N fake mediators exist, with CPD, practice and status history: the same N people on every run. ' +
        'A rerun changes nothing, a larger N adds the difference. Needs the development dependencies (not in the production image).',
    )
    .requiredOption('--mediators <n>', `how many mediators, 1 to ${count(MAX_SEED)}`, parseMediatorCount)
    .action(async (opts: { mediators: number }) => {
      const config = await cliConfig(ctx);
      const { createSeedService } = await loadSeedService();
      let started = 0;
      const { before, after } = await withDatabase(ctx, config, async (database) => {
        started = performance.now();
        const { systemClock } = await import('../lib/clock.ts');
        const { systemContext } = await import('../lib/context.ts');
        ctx.progress.show('Counting mediators seeded before');
        const onBatch = (added: number, adding: number) =>
          ctx.progress.show(added < adding ? `Seeded ${count(added)} of ${count(adding)} mediators` : `Seeded ${count(added)} mediators; recording status history and statistics`);
        return createSeedService({ db: database.db, clock: systemClock }).seedMediators(systemContext(), opts.mediators, onBatch);
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      print(ctx, after === before ? `${after} seeded mediators already exist; nothing to do.` : `Seeded ${after - before} mediators (${after} in all) in ${seconds} s.`);
    });
}

interface SeedModule {
  createSeedService(deps: { db: Database['db']; clock: Clock }): {
    seedMediators(ctx: RequestContext, count: number, onBatch: (added: number, adding: number) => void): Promise<{ before: number; after: number }>;
  };
}

/**
 * The seed lives with the benchmarks (faker is a development dependency), outside the production
 * build: the specifier is a URL so the compiler neither follows nor emits it.
 */
async function loadSeedService(): Promise<SeedModule> {
  try {
    return (await import(new URL('../../test/bench/seed/seed-service.ts', import.meta.url).href)) as SeedModule;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (err as { code?: string }).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new CliError('seed needs a checkout with the development dependencies (npm ci): it is not part of the production image.');
    }
    throw err;
  }
}
