import { asc } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { ruleSets } from '../../db/schema.ts';
import type { RuleSet } from '../../domain/rule-set.ts';

export type RuleSetRow = typeof ruleSets.$inferSelect;

/** Every version, oldest first (a handful of rows: one per change of the rules). */
export function loadRuleSets(q: Queryable): Promise<RuleSetRow[]> {
  return q.select().from(ruleSets).orderBy(asc(ruleSets.effectiveFrom));
}

export const byId = (sets: readonly RuleSet[]) => {
  const map = new Map(sets.map((s) => [s.id, s]));
  return (id: string): RuleSet => {
    const s = map.get(id);
    if (!s) throw new Error(`Rule set ${id} does not exist`);
    return s;
  };
};
