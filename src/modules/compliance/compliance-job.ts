import { desc, eq, sql } from 'drizzle-orm';
import { queryRows, type Db, type Tx } from '../../db/client.ts';
import { jobRuns, type RunCounts } from '../../db/schema.ts';
import { conflict, HttpProblem, unprocessable } from '../../errors.ts';
import { londonDate, type Clock } from '../../lib/clock.ts';
import { systemContext } from '../../lib/context.ts';
import { recordAudit, type AuditInput } from '../audit/audit-service.ts';
import {
    insertAssessments,
  lapseMediators,
  loadAccreditedMediators,
  loadAdjustments,
  loadInGrace,
  updateInGrace,
  type AssessmentChange,
  type NewAssessment,
  type OpenAssessment,
} from './compliance-repository.ts';
import { loadAchieved, loadComplianceRules, type ComplianceRules, type Window } from './compliance-rules.ts';
import type { Achieved, Deficit } from '../../domain/evaluation.ts';
import { enqueueNotifications, type OutgoingMessage } from '../notifications/outbox.ts';
import { daysUntil, decideOutcome, dueReminderOffset, graceEnd } from '../../domain/compliance-outcomes.ts';
import { LOCK_KEYS } from '../../db/advisory-locks.ts';
import { chunks } from '../../db/batches.ts';

/**
 * The run's own limits, in place of the request-sized DB_STATEMENT_TIMEOUT_MS and
 * DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: a run waits on the run lock for as long as another instance's
 * run takes; its two tally statements read every logged entry (7-8 s each at 100,000 mediators on a
 * busy 2-vCPU machine, so past 15 s at twice the register); and between statements it evaluates
 * and hashes in JavaScript for a time that grows with the register too. Still bounded, so a stuck
 * lock cannot hold the run's connection for ever.
 */
const RUN_TIMEOUT = '10min';
const LAPSE_REASON = 'Annual CPD and practice requirements not met by the end of grace (compliance job).';

export interface RunSummary {
  id: string;
  asOf: string;
  startedAt: string;
  finishedAt: string | null;
  counts: RunCounts | null;
  remindersSent: number;
  error: string | null;
  alreadyRun: boolean;
}

type RunRow = typeof jobRuns.$inferSelect;
export const toRun = (r: RunRow) => ({
  id: r.id,
  asOf: r.asOf,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  counts: r.counts ?? null,
  remindersSent: r.remindersSent,
  error: r.error,
});

export interface ComplianceJobDeps {
  db: Db;
  clock: Clock;
}

/**
 * The compliance job (docs/domain.md "The compliance job"): one function, `runCompliance(asOf)`, called by
 * the schedule, the CLI and the admin endpoint. The whole run is one transaction: its run row is the
 * claim on the date, so a crash leaves nothing and a second caller gets the first run's summary.
 */
export function createComplianceJob({ db, clock }: ComplianceJobDeps) {
  async function runCompliance(asOf: string = londonDate(clock())): Promise<RunSummary> {
    if (asOf > londonDate(clock())) {
      throw unprocessable('The as-of date is in the future.', [{ in: 'body', field: 'asOf', message: 'must not be after today' }]);
    }
    // When the run really happened (not the test clock's business date): orders the run log.
    const startedAt = new Date();
    try {
      return await db.transaction(async (tx) => {
        await tx.execute(sql`SELECT set_config('statement_timeout', ${RUN_TIMEOUT}, true), set_config('idle_in_transaction_session_timeout', ${RUN_TIMEOUT}, true)`);
        await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_KEYS.complianceRun})`);
        // The run sorts and hashes every mediator's periods at once: keep that in memory, not on disk.
        await tx.execute(sql`SET LOCAL work_mem = '64MB'`);
        const [done] = await tx.select().from(jobRuns).where(sql`${jobRuns.asOf} = ${asOf} AND ${jobRuns.error} IS NULL`);
        if (done) return { ...toRun(done), alreadyRun: true };
        const [latest] = await tx.select({ asOf: jobRuns.asOf }).from(jobRuns).where(sql`${jobRuns.error} IS NULL`).orderBy(desc(jobRuns.asOf)).limit(1);
        if (latest && latest.asOf > asOf) throw conflict(`The job has already run for ${latest.asOf}; runs only go forward in time.`);
        const [claim] = await queryRows<{ id: string }>(
          tx,
          sql`INSERT INTO job_runs (as_of, started_at) VALUES (${asOf}, ${startedAt}::timestamptz)
              ON CONFLICT (as_of) WHERE error IS NULL DO NOTHING RETURNING id`,
        );
        if (!claim) {
          // Only reachable without the lock's protection; the unique index still holds.
          const [other] = await tx.select().from(jobRuns).where(sql`${jobRuns.asOf} = ${asOf} AND ${jobRuns.error} IS NULL`);
          return { ...toRun(other!), alreadyRun: true };
        }
        const { counts, remindersSent, audit } = await applyCompliance(tx, asOf, clock());
        const [run] = await tx
          .update(jobRuns)
          .set({ finishedAt: new Date(), counts, remindersSent })
          .where(eq(jobRuns.id, claim.id))
          .returning();
        audit.push({ action: 'compliance.run', entityType: 'job_run', entityId: claim.id, after: { asOf, counts, remindersSent } });
        // In slices: a spread of 100,000 arguments would overflow the call stack.
        for (const slice of chunks(audit, 10_000)) await recordAudit(tx, systemContext(), ...slice);
        return { ...toRun(run!), alreadyRun: false };
      });
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      // The run's own transaction is gone; keep a record of the attempt outside it. The database that
      // failed the run may refuse this too: then the run's own error is the one worth reporting.
      await db
        .insert(jobRuns)
        .values({ asOf, startedAt, finishedAt: new Date(), error: rootMessage(err).slice(0, 2000) })
        .catch(() => {});
      throw err;
    }
  }

  return { runCompliance };
}

/** The database's own message, not the driver's wrapper (which repeats the whole statement). */
function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown };
  while (e.cause && typeof e.cause === 'object') e = e.cause as typeof e;
  return e.message ?? String(err);
}

export type ComplianceJob = ReturnType<typeof createComplianceJob>;

const key = (mediatorId: string, periodStart: string) => `${mediatorId}|${periodStart}`;
// jsonb does not keep key order, so compare the numbers, not the serialised objects.
const deficitKey = (ds: Deficit[]) => ds.map((d) => `${d.metric}:${d.required}:${d.achieved}`).sort().join(',');
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
const deficitsOf = (rules: ComplianceRules, w: Window, achieved: Map<string, Achieved>): Deficit[] =>
  rules.deficits(w, achieved.get(key(w.mediatorId, w.periodStart)) ?? {});

/**
 * The work of one run, from the database's state: assess ended periods, re-evaluate periods in
 * grace, lapse, remind. A fixed number of statements (per batch), whatever the number of mediators.
 */
async function applyCompliance(tx: Tx, asOf: string, now: Date) {
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
  const countOutcome = (o: string) => {
    if (o === 'compliant') counts.compliant++;
    else if (o === 'in_grace') counts.inGrace++;
    else if (o === 'non_compliant') counts.nonCompliant++;
    else counts.exempt++;
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
      messages.push({ recipient: m.email, userId: m.userId, template: 'compliance_in_grace', data: { fullName: m.fullName, periodStart: w.periodStart, periodEnd: w.periodEnd, deficits, graceEndsOn }, dedupeKey: `in-grace:${m.id}:${w.periodStart}` });
    }
    if (outcome === 'non_compliant') toLapse.push(m.id);
  }
  await insertAssessments(tx, inserts, now);
  // Audit ids come from the rows just written (one statement per batch, not per mediator).
  for (const row of inserts) {
    audit.push({ action: 'compliance.assessed', entityType: 'mediator', entityId: row.mediatorId, after: { periodStart: row.periodStart, periodEnd: row.periodEnd, outcome: row.outcome, deficits: row.deficits, graceEndsOn: row.graceEndsOn } });
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
    audit.push({ action: 'compliance.reassessed', entityType: 'mediator', entityId: a.mediatorId, before: { periodStart: a.periodStart, outcome: 'in_grace', deficits: a.deficits }, after: { periodStart: a.periodStart, outcome: c.outcome, deficits: c.deficits } });
    if (c.outcome === 'compliant') {
      messages.push({ recipient: a.email, userId: a.userId, template: 'compliance_met', data: { fullName: a.fullName, periodStart: a.periodStart, periodEnd: a.periodEnd }, dedupeKey: `met:${a.mediatorId}:${a.periodStart}` });
    }
    if (c.outcome === 'non_compliant') toLapse.push(a.mediatorId);
  }

  // Lapse: only those still accredited (conditional update); each with history, message and audit.
  const lapsed = await lapseMediators(tx, toLapse, LAPSE_REASON, now);
  counts.lapsed = lapsed.length;
  const contacts = new Map<string, { email: string; userId: string; fullName: string }>([...mediators.map((m) => [m.id, m] as const), ...inGrace.map((a) => [a.mediatorId, a] as const)]);
  for (const id of lapsed) {
    const m = contacts.get(id)!;
    messages.push({ recipient: m.email, userId: m.userId, template: 'compliance_lapsed', data: { fullName: m.fullName, reason: LAPSE_REASON } });
    audit.push({ action: 'mediator.status_changed', entityType: 'mediator', entityId: id, before: { status: 'accredited' }, after: { status: 'lapsed', reason: LAPSE_REASON } });
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
    reminders.push({ recipient: m.email, userId: m.userId, template: 'compliance_reminder', data: { fullName: m.fullName, periodEnd: w.periodEnd, daysLeft: daysUntil(asOf, w.periodEnd), deficits }, dedupeKey: `reminder:${m.id}:${w.periodStart}:${offset}` });
  }
  for (const { a, graceEndsOn } of stillInGrace) {
    if (daysUntil(asOf, graceEndsOn) > rules.graceReminderDays(a.ruleSetId)) continue;
    const deficits = deficitsOf(rules, windowOf(a), achieved);
    reminders.push({ recipient: a.email, userId: a.userId, template: 'compliance_grace_reminder', data: { fullName: a.fullName, periodEnd: a.periodEnd, graceEndsOn, deficits }, dedupeKey: `grace-reminder:${a.mediatorId}:${a.periodStart}:${graceEndsOn}` });
  }
  await enqueueNotifications(tx, messages);
  const remindersSent = await enqueueNotifications(tx, reminders);
  return { counts, remindersSent, audit };
}
