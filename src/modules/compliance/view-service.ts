import type { Db } from '../../db/client.ts';
import { achievedFrom, evaluate } from '../../domain/evaluation.ts';
import { obligationsStart, periodsOf } from '../../domain/periods.ts';
import { daysBetween } from '../../lib/calendar.ts';
import { requirementsFor } from '../../domain/requirements.ts';
import { COUNT_METRICS } from '../../domain/rule-set.ts';
import { londonDate, type Clock } from '../../lib/clock.ts';
import type { UserContext } from '../../lib/context.ts';
import { loadRuleSets } from '../rule-sets/rule-sets-repository.ts';
import { findLogOwner } from '../logs/log-guard.ts';
import { loadTallies, windowKey } from '../logs/log-tallies.ts';
import { assessmentsOf } from './assessments-repository.ts';

/** A mediator's own standing: the current period against the rules governing it, and past assessments. */
export function createComplianceViewService({ db, clock }: { db: Db; clock: Clock }) {
  async function currentPeriod(owner: Awaited<ReturnType<typeof findLogOwner>>, today: string) {
    const start = obligationsStart(owner);
    if (owner.status !== 'accredited' || !start) return null;
    const period = periodsOf(start, today, await loadRuleSets(db)).at(-1);
    if (!period || period.end < today) return null;
    const window = { mediatorId: owner.id, periodStart: period.start, periodEnd: period.end };
    const tallies = (await loadTallies(db, [window])).get(windowKey(window));
    const achieved = achievedFrom(tallies?.cpd ?? [], tallies?.practice ?? [], period.ruleSet.categoryCaps);
    const progress = evaluate(requirementsFor(period.ruleSet, period, owner.body), achieved);
    return {
      year: period.year,
      start: period.start,
      end: period.end,
      daysLeft: daysBetween(today, period.end),
      proRated: period.partial && period.ruleSet.proRateFirstPeriod,
      ruleSetId: period.ruleSet.id,
      requirements: progress.map((p) => ({ ...p, unit: COUNT_METRICS.includes(p.metric) ? ('entries' as const) : ('hours' as const) })),
    };
  }

  return {
    async view(ctx: UserContext) {
      const owner = await findLogOwner(db, ctx.actor.id);
      const assessments = await assessmentsOf(db, owner.id);
      return {
        status: owner.status,
        obligationsStartOn: obligationsStart(owner),
        currentPeriod: await currentPeriod(owner, londonDate(clock())),
        assessments: assessments.map((a) => ({ ...a, assessedAt: a.assessedAt.toISOString(), closedAt: a.closedAt?.toISOString() ?? null })),
      };
    },
  };
}
