import { RegisterStatsSchema } from '../../../schemas/register-stats.ts';
import { londonDate } from '../../lib/clock.ts';
import type { Module } from '../module.ts';
import { loadStatsRows } from './register-stats-repository.ts';
import { publishStats } from './register-stats.ts';

// Counts move a few times a day at most (decisions, the nightly job): a few minutes' caching is harmless.
const CACHE_CONTROL = 'public, max-age=300';

/** Live statistics of the register, every small count suppressed. */
export const registerStatsModule: Module = async (app, { db, clock, config }) => {
  app.get('/v1/register/stats', {
    config: { access: 'public', rateLimit: { max: config.RATE_LIMIT_PUBLIC_PER_MINUTE, timeWindow: '1 minute' } },
    schema: {
      tags: ['public register'],
      summary: 'Statistics: accredited mediators by body, region and language; compliance outcomes per register year',
      description: 'Every count from 1 to 4 is `"<5"`; a total is null where a count it adds up is suppressed (it would give that count back). Regions and languages overlap, so they have no total.',
      response: { 200: RegisterStatsSchema },
    },
    handler: async (_req, reply) => {
      reply.header('cache-control', CACHE_CONTROL);
      return publishStats(await loadStatsRows(db), londonDate(clock()));
    },
  });
};
