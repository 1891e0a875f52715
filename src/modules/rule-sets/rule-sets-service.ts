import type { z } from 'zod';
import type { RuleSetBodySchema } from '../../../schemas/rule-sets.ts';
import type { Db } from '../../db/client.ts';
import { ruleSets } from '../../db/schema.ts';
import { registerYearOf } from '../../domain/register-year.ts';
import { ruleSetInForce } from '../../domain/rule-set.ts';
import { problem, type FieldError } from '../../errors.ts';
import { londonDate, type Clock } from '../../lib/clock.ts';
import type { RequestContext } from '../../lib/context.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { publishedRuleSets } from './published-rules.ts';
import { loadRuleSets, type RuleSetRow } from './rule-sets-repository.ts';

/**
 * Rule sets are versions: a registrar adds one effective from the start of a future register year,
 * so no period already under way changes rules. An existing version is never edited.
 */
export function createRuleSetsService({ db, clock }: { db: Db; clock: Clock }) {
  const toRuleSet =
    (inForceId: string) =>
    ({ createdBy: _c, ...r }: RuleSetRow) => ({ ...r, createdAt: r.createdAt.toISOString(), inForce: r.id === inForceId });

  return {
    async list() {
      const sets = await loadRuleSets(db);
      const inForce = ruleSetInForce(sets, londonDate(clock())).id;
      return { items: sets.reverse().map(toRuleSet(inForce)) };
    },

    /** The rules as published to everyone, oldest version first. */
    async published() {
      const today = londonDate(clock());
      return { asOf: today, items: publishedRuleSets(await loadRuleSets(db), today) };
    },

    add: (ctx: RequestContext, body: z.infer<typeof RuleSetBodySchema>) =>
      db.transaction(async (tx) => {
        const field = (message: string): FieldError[] => [{ in: 'body', field: 'effectiveFrom', message }];
        const today = londonDate(clock());
        if (body.effectiveFrom <= today) throw problem('rule-set-start-invalid', 'A rule set applies from a future date: periods under way keep their rules.', field('must be after today'));
        if (registerYearOf(body.effectiveFrom, body).start !== body.effectiveFrom) {
          throw problem(
            'rule-set-start-invalid',
            'A rule set starts on the first day of one of its register years.',
            field(`must be ${String(body.yearStartDay).padStart(2, '0')}/${String(body.yearStartMonth).padStart(2, '0')} of a year`),
          );
        }
        // The unique effective_from answers 409 if that version already exists.
        const [row] = await tx
          .insert(ruleSets)
          .values({ ...body, createdBy: ctx.actor.id ?? null, createdAt: clock() })
          .returning();
        const sets = await loadRuleSets(tx);
        const created = toRuleSet(ruleSetInForce(sets, today).id)(row!);
        await recordAudit(tx, ctx, { action: 'rule_set.added', entityType: 'rule_set', entityId: row!.id, after: body });
        return created;
      }),
  };
}
