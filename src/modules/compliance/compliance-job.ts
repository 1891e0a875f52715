import type { Db } from '../../db/client.ts';
import { vacuumIfEmbedded } from '../../db/upkeep.ts';
import type { RunCounts } from '../../domain/compliance-outcomes.ts';
import { HttpProblem, problem } from '../../errors.ts';
import { londonDate, type Clock } from '../../lib/clock.ts';
import { systemContext } from '../../lib/context.ts';
import { recordAudit } from '../audit/audit-service.ts';
import { recordGoneEntries } from '../register/register-feed.ts';
import { recountNameWords } from '../register/name-words-repository.ts';
import { applyCompliance } from './compliance-pass.ts';
import { beginRun, claimRun, findRun, finishRun, latestRunAsOf, recordFailedRun, type RunRow } from './compliance-repository.ts';

/**
 * The run's own limits, in place of the request-sized DB_STATEMENT_TIMEOUT_MS and
 * DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: a run waits on the run lock for as long as another instance's
 * run takes; its two tally statements read every logged entry (7-8 s each at 100,000 mediators on a
 * busy 2-vCPU machine, so past 15 s at twice the register); and between statements it evaluates
 * and hashes in JavaScript for a time that grows with the register too. Still bounded, so a stuck
 * lock cannot hold the run's connection for ever.
 */
const RUN_TIMEOUT = '10min';

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
  /** REGISTER_REMOVED_VISIBLE_YEARS: the run records the removed entries that have left public view. */
  removedVisibleYears: number;
  /** Where a failure of the upkeep after a run goes (the run itself has committed, and stands). */
  onUpkeepError: (err: unknown) => void;
}

/**
 * The compliance job (docs/domain.md "The compliance job"): one function, `runCompliance(asOf)`, called by
 * the schedule, the CLI and the admin endpoint. The whole run is one transaction: its run row is the
 * claim on the date, so a crash leaves nothing and a second caller gets the first run's summary.
 */
export function createComplianceJob({ db, clock, removedVisibleYears, onUpkeepError }: ComplianceJobDeps) {
  async function runCompliance(asOf: string = londonDate(clock())): Promise<RunSummary> {
    const summary = await runOnce(asOf);
    // Upkeep once a day, after the run (one instance runs it): the search's word table made exact,
    // and an embedded database vacuumed (nothing else does it there). A step that fails is reported
    // and the next day's run tries again; it never turns the committed run into a failure.
    if (!summary.alreadyRun) {
      for (const step of [() => recountNameWords(db), () => vacuumIfEmbedded(db)]) await step().catch(onUpkeepError);
    }
    return summary;
  }

  async function runOnce(asOf: string): Promise<RunSummary> {
    if (asOf > londonDate(clock())) {
      throw problem('as-of-in-future', 'The as-of date is in the future.', [{ in: 'body', field: 'asOf', message: 'must not be after today' }]);
    }
    // When the run really happened (not the test clock's business date): orders the run log.
    const startedAt = new Date();
    try {
      return await db.transaction(async (tx) => {
        await beginRun(tx, RUN_TIMEOUT);
        const done = await findRun(tx, asOf);
        if (done) return { ...toRun(done), alreadyRun: true };
        const latest = await latestRunAsOf(tx);
        if (latest && latest > asOf) throw problem('compliance-run-backwards', `The job has already run for ${latest}; runs only go forward in time.`);
        const claim = await claimRun(tx, asOf, startedAt);
        if (!claim) {
          // Only reachable without the lock's protection; the unique index still holds.
          return { ...toRun((await findRun(tx, asOf))!), alreadyRun: true };
        }
        const { counts, remindersSent } = await applyCompliance(tx, asOf, clock());
        // Time, not a write, takes a removed entry out of public view: the change feed hears it here.
        await recordGoneEntries(tx, clock(), removedVisibleYears);
        const run = await finishRun(tx, claim, counts, remindersSent);
        await recordAudit(tx, systemContext(), { action: 'compliance.run', entityType: 'job_run', entityId: claim, after: { asOf, counts, remindersSent } });
        return { ...toRun(run), alreadyRun: false };
      });
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      // The run's own transaction is gone; keep a record of the attempt outside it. The database that
      // failed the run may refuse this too: then the run's own error is the one worth reporting.
      await recordFailedRun(db, asOf, startedAt, rootMessage(err).slice(0, 2000)).catch(() => {});
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
