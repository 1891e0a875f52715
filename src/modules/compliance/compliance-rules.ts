// TEMPORARY stand-in until the domain core (issue 6) lands; replaced by calls into src/domain.
import type { Queryable } from '../../db/client.ts';
import type { Deficit } from '../../db/schema.ts';

export interface Window {
  mediatorId: string;
  body: 'com' | 'cmc' | null;
  periodStart: string;
  periodEnd: string;
  ruleSetId: string;
}
type Achieved = Record<string, number>;
interface Period { periodStart: string; periodEnd: string; ruleSetId: string }
interface Start { firstAccreditedOn: string | null; complianceStartOn: string | null }

const RULES = '00000000-0000-4000-8000-000000000000';

export interface ComplianceRules {
  periodsOf(m: Start, asOf: string): Period[];
  periodIn(m: Start, year: number): Period | null;
  registerYear(year: number): { start: string; end: string };
  deficits(w: Window, achieved: Achieved): Deficit[];
  graceDays(ruleSetId: string): number;
  reminderOffsets(ruleSetId: string): number[];
  graceReminderDays(ruleSetId: string): number;
}

export async function loadComplianceRules(_q: Queryable): Promise<ComplianceRules> {
  const year = (y: number) => ({ periodStart: `${y}-04-01`, periodEnd: `${y + 1}-03-31`, ruleSetId: RULES });
  return {
    periodsOf(m, asOf) {
      const start = m.complianceStartOn ?? m.firstAccreditedOn;
      if (!start) return [];
      const out: Period[] = [];
      for (let y = Number(start.slice(0, 4)) - 1; y <= Number(asOf.slice(0, 4)); y++) {
        const p = year(y);
        if (p.periodEnd >= start && p.periodStart <= asOf) out.push({ ...p, periodStart: p.periodStart < start ? start : p.periodStart });
      }
      return out;
    },
    periodIn(m, y) {
      const start = m.complianceStartOn ?? m.firstAccreditedOn;
      const p = year(y);
      return start && p.periodEnd >= start ? { ...p, periodStart: p.periodStart < start ? start : p.periodStart } : null;
    },
    registerYear: (y) => ({ start: `${y}-04-01`, end: `${y + 1}-03-31` }),
    deficits(_w, achieved) {
      const got = achieved.cpd_hours ?? 0;
      return got >= 10 ? [] : [{ metric: 'cpd_hours', required: 10, achieved: got, shortfall: 10 - got }];
    },
    graceDays: () => 60,
    reminderOffsets: () => [60, 30, 7],
    graceReminderDays: () => 14,
  };
}

export async function loadAchieved(_q: Queryable, _windows: Window[]): Promise<Map<string, Achieved>> {
  return new Map();
}
