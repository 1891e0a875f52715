import { Gauge, type Registry } from 'prom-client';
import { queryRows, sql, type Database } from '../db/client.ts';
import { OUTCOME_COUNT, type RunCounts } from '../domain/compliance-outcomes.ts';
import { MAX_DELIVERY_ATTEMPTS } from '../db/schema.ts';

/** Longest a scrape waits for one reading: a stuck database must not hold back every other metric. */
const READ_TIMEOUT_MS = 2000;

type Source = 'outbox' | 'compliance';

interface OutboxReading {
  queued: number;
  retrying: number;
  failed: number;
  oldestDueSeconds: number;
}

interface LastRunReading {
  asOf: number;
  finishedAt: number | null;
  failed: boolean;
  counts: RunCounts | null;
  remindersSent: number;
  lastSuccessAsOf: number | null;
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Gauges read from the database when scraped (`refresh`, one query per source), and the pool's own
 * counters (collected from the pg Pool; PGlite is one embedded connection with no pool to report).
 * A source that fails is reported as down and its gauges left empty: stale numbers would pass for
 * current ones, and the rest of the scrape still answers.
 */
export function registerDatabaseMetrics(registry: Registry, database: Database, onError: (err: unknown, source: Source) => void) {
  const registers = [registry];
  const unlabelled = new WeakSet<Gauge<string>>();
  // A gauge without labels holds 0 until set, and 0 would read as a real value (a run on 1970-01-01):
  // emptied, it shows no sample at all.
  const clear = (...gauges: Gauge<string>[]) => {
    for (const g of gauges) {
      g.reset();
      if (unlabelled.has(g)) (g as Gauge).remove();
    }
  };
  const gauge = <L extends string = never>(name: string, help: string, labelNames: L[] = []) => {
    const g = new Gauge<L>({ name, help, labelNames, registers });
    if (labelNames.length === 0) unlabelled.add(g);
    clear(g);
    return g;
  };

  new Gauge({ name: 'send_register_database_info', help: 'The database this process uses (kind: postgres or pglite); always 1.', labelNames: ['kind'], registers }).set({ kind: database.kind }, 1);
  const pool = database.pool;
  if (pool) {
    const poolGauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    poolGauge('send_register_db_pool_connections', 'Connections the PostgreSQL pool holds, busy or idle.', () => pool.totalCount);
    poolGauge('send_register_db_pool_idle_connections', 'Pooled connections not in use.', () => pool.idleCount);
    poolGauge('send_register_db_pool_waiting_requests', 'Queries waiting for a pooled connection (sustained above 0: the pool is too small or queries too slow).', () => pool.waitingCount);
    // pg-pool fills in its default, so max is always set on a Pool.
    poolGauge('send_register_db_pool_max_connections', 'Most connections the pool may open (DB_POOL_MAX).', () => pool.options.max!);
  }

  const up = gauge('send_register_metrics_source_up', 'Whether the database answered this scrape for the source (outbox, compliance): 1 yes, 0 no.', ['source']);

  const outboxMessages = gauge(
    'send_register_outbox_messages',
    'Unsent messages in the outbox by state: queued (not yet failed), retrying (last attempt failed), failed (gave up after the last attempt).',
    ['state'],
  );
  const outboxOldestDue = gauge('send_register_outbox_oldest_due_seconds', 'How long the most overdue unsent message has been due (0 when none is due): grows when delivery is stuck.');

  const runAsOf = gauge('send_register_compliance_last_run_as_of_timestamp_seconds', 'As-of date of the latest compliance run, successful or not (midnight UTC).');
  const runFinished = gauge('send_register_compliance_last_run_finished_timestamp_seconds', 'When the latest compliance run ended.');
  const runFailed = gauge('send_register_compliance_last_run_failed', 'Whether the latest compliance run failed: 1 yes, 0 no.');
  const runAssessments = gauge('send_register_compliance_last_run_assessments', 'Assessments the latest compliance run wrote or changed, by outcome (absent when it failed).', ['outcome']);
  const runLapsed = gauge('send_register_compliance_last_run_lapsed', 'Mediators the latest compliance run lapsed (absent when it failed).');
  const runReminders = gauge('send_register_compliance_last_run_reminders', 'Reminders the latest compliance run queued (absent when it failed).');
  const lastSuccess = gauge('send_register_compliance_last_success_as_of_timestamp_seconds', 'As-of date of the latest successful compliance run (midnight UTC); absent before the first.');

  const readOutbox = async () => {
    const [row] = await queryRows<OutboxReading>(
      database.db,
      sql`SELECT count(*) FILTER (WHERE attempts < ${MAX_DELIVERY_ATTEMPTS} AND last_error IS NULL)::int AS queued,
                 count(*) FILTER (WHERE attempts < ${MAX_DELIVERY_ATTEMPTS} AND last_error IS NOT NULL)::int AS retrying,
                 count(*) FILTER (WHERE attempts >= ${MAX_DELIVERY_ATTEMPTS})::int AS failed,
                 coalesce(extract(epoch FROM now() - min(send_after) FILTER (WHERE attempts < ${MAX_DELIVERY_ATTEMPTS} AND send_after <= now())), 0)::float8 AS "oldestDueSeconds"
            FROM notifications
           WHERE sent_at IS NULL`,
    );
    const r = row!;
    outboxMessages.set({ state: 'queued' }, r.queued);
    outboxMessages.set({ state: 'retrying' }, r.retrying);
    outboxMessages.set({ state: 'failed' }, r.failed);
    outboxOldestDue.set(r.oldestDueSeconds);
  };

  const readCompliance = async () => {
    const [run] = await queryRows<LastRunReading>(
      database.db,
      sql`SELECT extract(epoch FROM r.as_of)::float8 AS "asOf",
                 extract(epoch FROM r.finished_at)::float8 AS "finishedAt",
                 r.error IS NOT NULL AS failed, r.counts, r.reminders_sent AS "remindersSent",
                 (SELECT extract(epoch FROM max(s.as_of))::float8 FROM job_runs s WHERE s.error IS NULL) AS "lastSuccessAsOf"
            FROM job_runs r
           ORDER BY r.started_at DESC
           LIMIT 1`,
    );
    clear(runAsOf, runFinished, runFailed, runAssessments, runLapsed, runReminders, lastSuccess);
    if (!run) return;
    runAsOf.set(run.asOf);
    if (run.finishedAt !== null) runFinished.set(run.finishedAt);
    runFailed.set(run.failed ? 1 : 0);
    if (run.counts) {
      runReminders.set(run.remindersSent);
      for (const [outcome, count] of Object.entries(OUTCOME_COUNT)) runAssessments.set({ outcome }, run.counts[count]);
      runLapsed.set(run.counts.lapsed);
    }
    if (run.lastSuccessAsOf !== null) lastSuccess.set(run.lastSuccessAsOf);
  };

  const sources: Array<{ source: Source; read: () => Promise<void>; gauges: Gauge<string>[] }> = [
    { source: 'outbox', read: readOutbox, gauges: [outboxMessages, outboxOldestDue] },
    { source: 'compliance', read: readCompliance, gauges: [runAsOf, runFinished, runFailed, runAssessments, runLapsed, runReminders, lastSuccess] },
  ];

  return {
    /** Reads every source afresh; never rejects. */
    async refresh() {
      await Promise.all(
        sources.map(async ({ source, read, gauges }) => {
          try {
            await withTimeout(read());
            up.set({ source }, 1);
          } catch (err) {
            clear(...gauges);
            up.set({ source }, 0);
            onError(err, source);
          }
        }),
      );
    },
  };
}

export type DatabaseMetrics = ReturnType<typeof registerDatabaseMetrics>;
