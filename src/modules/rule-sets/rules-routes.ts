import { publicRateLimit } from '../../config.ts';
import { PublicRuleSetListSchema } from '../../../schemas/rule-sets.ts';
import { dateLabel } from '../../lib/calendar.ts';
import { registerYearLabel, registerYearOf } from '../../domain/register-year.ts';
import type { Module } from '../module.ts';
import { renderPage } from '../public-pages/page-views.ts';
import { createRuleSetsService } from './rule-sets-service.ts';

// Rules change at most once a year, announced ahead: five minutes of caching costs nothing.
const CACHE_CONTROL = 'public, max-age=300';

/** The annual requirements as published data and as a page for parents, from the same function. */
export const publicRulesModule: Module = async (app, { db, clock, config }) => {
  const ruleSets = createRuleSetsService({ db, clock });
  const rateLimit = publicRateLimit(config);

  app.get('/v1/rules', {
    config: { access: 'public', rateLimit },
    schema: {
      tags: ['public register'],
      summary: 'The annual requirements: every version, with the one in force and those scheduled',
      description:
        'Each version governs the register years from its `effectiveFrom` (always the first day of a register year) until the next version; the version in force when a year begins governs that whole year. Superseded versions are listed, labelled, because past years were assessed against them.',
      response: { 200: PublicRuleSetListSchema },
    },
    handler: async (_req, reply) => {
      reply.header('cache-control', CACHE_CONTROL);
      return ruleSets.published();
    },
  });

  app.get('/rules', {
    config: { access: 'public', rateLimit },
    // Named apart from GET /v1/rules, whose derived operationId (getRules) it would otherwise share.
    schema: { tags: ['pages'], operationId: 'getRulesPage', summary: 'The annual requirements in plain words, with the changes to come (HTML)' },
    handler: async (_req, reply) => {
      const { asOf, items } = await ruleSets.published();
      const current = items.find((s) => s.inForce)!;
      const body = {
        current,
        currentYear: registerYearLabel(registerYearOf(asOf, current)),
        scheduled: items.filter((s) => s.standing === 'scheduled').map((s) => ({ ...s, fromLabel: dateLabel(s.effectiveFrom) })),
      };
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', CACHE_CONTROL)
        .send(renderPage('What mediators must do each year – Register of SEND Mediators', './rules', body));
    },
  });
};
