import { publicRateLimit } from '../../config.ts';
import { RegisterStatsSchema } from '../../../schemas/register-stats.ts';
import { londonDate } from '../../lib/clock.ts';
import type { Module } from '../module.ts';
import { loadStatsRows } from './register-stats-repository.ts';
import { publishStats } from './register-stats.ts';

// Counts move a few times a day at most (decisions, the nightly job): a few minutes' caching is harmless.
const CACHE_CONTROL = 'public, max-age=300';
/**
 * How long an instance reuses its last count. The counts scan every accredited entry (about 0.5 s
 * at 100,000 entries, EXPLAIN ANALYZE on the bench's seed), so requests that miss every cache share
 * one count a minute instead of each paying for it.
 */
const RECOUNT_AFTER_MS = 60_000;

/** Live statistics of the register, every small count suppressed. */
export const registerStatsModule: Module = async (app, { db, clock, config }) => {
  let last: { until: number; stats: ReturnType<typeof count> } | null = null;
  const count = async () => publishStats(await loadStatsRows(db), londonDate(clock()));
  const current = () => {
    const now = clock().getTime();
    if (!last || now >= last.until) {
      const stats = count();
      last = { until: now + RECOUNT_AFTER_MS, stats };
      // A failed count is not kept: the next request counts again.
      stats.catch(() => {
        if (last?.stats === stats) last = null;
      });
    }
    return last.stats;
  };

  app.get('/v1/register/stats', {
    config: { access: 'public', rateLimit: publicRateLimit(config) },
    schema: {
      tags: ['public register'],
      summary: 'Statistics: accredited mediators by body, region and language; compliance outcomes per register year',
      description:
        'Every count from 1 to 4 is `"<5"`; a total is null where a count it adds up is suppressed (it would give that count back). Regions and languages overlap, so they have no total. Counted at most once a minute per server, and cacheable for 5 minutes.',
      response: { 200: RegisterStatsSchema },
    },
    handler: async (_req, reply) => {
      reply.header('cache-control', CACHE_CONTROL);
      return current();
    },
  });
};
