import { Cron } from 'croner';
import { LONDON, londonDate, type Clock } from '../../lib/clock.ts';

export interface ScheduleOptions {
  /** Cron expression read in Europe/London, or `off`. */
  cron: string;
  clock: Clock;
  run: (asOf: string) => Promise<unknown>;
  onError: (err: unknown) => void;
}

/**
 * Runs the compliance job on its schedule for today's London date. Every instance may run this:
 * the run itself is exactly-once per date, so a second instance's call returns the first's summary.
 * Returns a function that stops the schedule.
 */
export function scheduleCompliance({ cron, clock, run, onError }: ScheduleOptions): () => void {
  if (cron === 'off') return () => {};
  const job = new Cron(cron, { timezone: LONDON, protect: true, unref: true }, async () => {
    try {
      await run(londonDate(clock()));
    } catch (err) {
      onError(err);
    }
  });
  return () => job.stop();
}
