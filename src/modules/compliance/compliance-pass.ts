import type { Tx } from '../../db/client.ts';
import type { Achieved, Deficit } from '../../domain/evaluation.ts';
import type { ComplianceOutcome } from '../../domain/vocabulary.ts';
import { daysUntil, decideOutcome, dueReminderOffset, graceEnd, OUTCOME_COUNT, type RunCounts } from '../../domain/compliance-outcomes.ts';
import { systemContext } from '../../lib/context.ts';
import { recordAuditEvents, type AuditInput } from '../audit/audit-service.ts';
import { enqueueNotifications, type OutgoingMessage } from '../notifications/outbox.ts';
import { lapse } from '../register-entries/register-entries-service.ts';
import { insertAssessments, loadAccreditedMediators, loadAdjustments, loadInGrace, updateInGrace, type AssessmentChange, type NewAssessment, type OpenAssessment } from './compliance-repository.ts';
import { loadAchieved, loadComplianceRules, type ComplianceRules, type Window } from './compliance-rules.ts';

const LAPSE_REASON = 'Annual CPD and practice requirements not met by the end of grace (compliance job).';

const key = (mediatorId: string, periodStart: string) => `${mediatorId}|${periodStart}`;
// jsonb does not keep key order, so compare the numbers, not the serialised objects.
const deficitKey = (ds: Deficit[]) =>
  ds
    .map((d) => `${d.metric}:${d.required}:${d.achieved}`)
    .sort()
    .join(',');
const sameDeficits = (a: Deficit[], b: Deficit[]) => deficitKey(a) === deficitKey(b);
const windowOf = (a: OpenAssessment): Window => ({ mediatorId: a.mediatorId, body: a.body, periodStart: a.periodStart, periodEnd: a.periodEnd, ruleSetId: a.ruleSetId });
const bareWindow = ({ mediatorId, body, periodStart, periodEnd, ruleSetId }: Window): Window => ({ mediatorId, body, periodStart, periodEnd, ruleSetId });
/**
 * An ended period is assessed once, unless it ended while the entry was off the register (lapsed or
 * suspended): the body that reinstated the mediator has judged them fit to return, and obligations
 * resume with the period they return in. Assessing such a period would lapse them again at once.
 */
const isDue = (p: { periodStart: string; periodEnd: string }, m: { lastAssessedStart: string | null; reinstatedOn: string | null }) =>
  (!m.lastAssessedStart || p.periodStart > m.lastAssessedStart) && !(m.reinstatedOn && p.periodEnd < m.reinstatedOn);
const deficitsOf = (rules: ComplianceRules, w: Window, achieved: Map<string, Achieved>): Deficit[] => rules.deficits(w, achieved.get(key(w.mediatorId, w.periodStart)) ?? {});

/**
 * The work of one run, from the database's state: assess ended periods, re-evaluate periods in
 * grace, lapse, remind. A fixed number of statements (per batch), whatever the number of mediators.
 */
export async function applyCompliance(tx: Tx, asOf: string, now: Date) {
  const rules = await loadComplianceRules(tx);
  const [mediators, inGrace, adjustments] = [await loadAccreditedMediators(tx), await loadInGrace(tx), await loadAdjustments(tx)];

  const ended: Array<Window & { mediator: (typeof mediators)[number] }> = [];
  const current: Array<Window & { mediator: (typeof mediators)[number] }> = [];
  for (const m of mediators) {
    for (const p of rules.periodsOf(m, asOf)) {
      const w = { mediatorId: m.id, body: m.body, ...p, mediator: m };
      if (p.periodEnd < asOf) {
        if (isDue(p, m)) ended.push(w);
      } else if (p.periodStart <= asOf) current.push(w);
    }
  }
  const achieved = await loadAchieved(tx, [...ended, ...current].map(bareWindow).concat(inGrace.map(windowOf)));

  const counts: RunCounts = { compliant: 0, inGrace: 0, nonCompliant: 0, exempt: 0, lapsed: 0 };
  const audit: AuditInput[] = [];
  const messages: OutgoingMessage[] = [];
  const toLapse: string[] = [];
  const countOutcome = (o: ComplianceOutcome) => {
    counts[OUTCOME_COUNT[o]]++;
  };

  // 1. Ended, unassessed periods.
  const inserts: NewAssessment[] = [];
  for (const w of ended) {
    const adj = adjustments.get(key(w.mediatorId, w.periodStart));
    const deficits = deficitsOf(rules, w, achieved);
    const graceEndsOn = graceEnd(w.periodEnd, rules.graceDays(w.ruleSetId), adj?.extendedUntil ?? null);
    const outcome = decideOutcome({ asOf, graceEndsOn, exempt: adj?.exempt ?? false, deficits });
    countOutcome(outcome);
    inserts.push({
      mediatorId: w.mediatorId,
      periodStart: w.periodStart,
      periodEnd: w.periodEnd,
      ruleSetId: w.ruleSetId,
      outcome,
      deficits,
      graceEndsOn: outcome === 'compliant' || outcome === 'exempt' ? null : graceEndsOn,
    });
    const m = w.mediator;
    if (outcome === 'in_grace') {
      messages.push({
        recipient: m.email,
        userId: m.userId,
        template: 'compliance_in_grace',
        data: { fullName: m.fullName, periodStart: w.periodStart, periodEnd: w.periodEnd, deficits, graceEndsOn },
        dedupeKey: `in-grace:${m.id}:${w.periodStart}`,
      });
    }
    if (outcome === 'non_compliant') toLapse.push(m.id);
  }
  await insertAssessments(tx, inserts, now);
  // Audit ids come from the rows just written (one statement per batch, not per mediator).
  for (const row of inserts) {
    audit.push({
      action: 'compliance.assessed',
      entityType: 'mediator',
      entityId: row.mediatorId,
      after: { periodStart: row.periodStart, periodEnd: row.periodEnd, outcome: row.outcome, deficits: row.deficits, graceEndsOn: row.graceEndsOn },
    });
  }

  // 2. Periods in grace: late entries dated in the period count; past grace, non-compliant.
  const changes: Array<AssessmentChange & { before: (typeof inGrace)[number] }> = [];
  const stillInGrace: Array<{ a: (typeof inGrace)[number]; graceEndsOn: string }> = [];
  for (const a of inGrace) {
    const adj = adjustments.get(key(a.mediatorId, a.periodStart));
    const deficits = deficitsOf(rules, windowOf(a), achieved);
    const graceEndsOn = adj?.extendedUntil && adj.extendedUntil > a.graceEndsOn ? adj.extendedUntil : a.graceEndsOn;
    const outcome = decideOutcome({ asOf, graceEndsOn, exempt: adj?.exempt ?? false, deficits });
    if (outcome === 'in_grace') {
      stillInGrace.push({ a, graceEndsOn });
      if (graceEndsOn === a.graceEndsOn && sameDeficits(deficits, a.deficits)) continue;
    }
    changes.push({ id: a.id, outcome, deficits, graceEndsOn, before: a });
  }
  const changed = await updateInGrace(tx, changes, now);
  for (const c of changes) {
    if (!changed.has(c.id) || c.outcome === 'in_grace') continue;
    countOutcome(c.outcome);
    const a = c.before;
    audit.push({
      action: 'compliance.reassessed',
      entityType: 'mediator',
      entityId: a.mediatorId,
      before: { periodStart: a.periodStart, outcome: 'in_grace', deficits: a.deficits },
      after: { periodStart: a.periodStart, outcome: c.outcome, deficits: c.deficits },
    });
    if (c.outcome === 'compliant') {
      messages.push({
        recipient: a.email,
        userId: a.userId,
        template: 'compliance_met',
        data: { fullName: a.fullName, periodStart: a.periodStart, periodEnd: a.periodEnd },
        dedupeKey: `met:${a.mediatorId}:${a.periodStart}`,
      });
    }
    if (c.outcome === 'non_compliant') toLapse.push(a.mediatorId);
  }

  // 3. Reminders: before period end to those behind target; before grace end to those in grace.
  const reminders: OutgoingMessage[] = [];
  for (const w of current) {
    if (adjustments.get(key(w.mediatorId, w.periodStart))?.exempt) continue;
    const offset = dueReminderOffset(daysUntil(asOf, w.periodEnd), rules.reminderOffsets(w.ruleSetId));
    if (offset === null) continue;
    const deficits = deficitsOf(rules, w, achieved);
    if (deficits.length === 0) continue;
    const m = w.mediator;
    reminders.push({
      recipient: m.email,
      userId: m.userId,
      template: 'compliance_reminder',
      data: { fullName: m.fullName, periodEnd: w.periodEnd, daysLeft: daysUntil(asOf, w.periodEnd), deficits },
      dedupeKey: `reminder:${m.id}:${w.periodStart}:${offset}`,
    });
  }
  for (const { a, graceEndsOn } of stillInGrace) {
    if (daysUntil(asOf, graceEndsOn) > rules.graceReminderDays(a.ruleSetId)) continue;
    const deficits = deficitsOf(rules, windowOf(a), achieved);
    reminders.push({
      recipient: a.email,
      userId: a.userId,
      template: 'compliance_grace_reminder',
      data: { fullName: a.fullName, periodEnd: a.periodEnd, graceEndsOn, deficits },
      dedupeKey: `grace-reminder:${a.mediatorId}:${a.periodStart}:${graceEndsOn}`,
    });
  }
  await enqueueNotifications(tx, messages);
  const remindersSent = await enqueueNotifications(tx, reminders);
  // The trail in the order things happened: assessments, then lapses, then the run (the caller's).
  await recordAuditEvents(tx, systemContext(), audit);
  // Lapse: those still accredited, each with history, message and audit (register-entries).
  counts.lapsed = (await lapse(tx, systemContext(), now, toLapse, LAPSE_REASON)).length;
  return { counts, remindersSent };
}
