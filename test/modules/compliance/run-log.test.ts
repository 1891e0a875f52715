import t from 'tap';
import { claimRun, findRun, finishRun, latestRunAsOf, recordFailedRun } from '../../../src/modules/compliance/compliance-repository.ts';
import { dbKinds, freshDatabase } from '../../helpers/database.ts';

const COUNTS = { compliant: 1, inGrace: 0, nonCompliant: 0, exempt: 0, lapsed: 0 };

for (const kind of dbKinds()) {
  t.test(`the run log on ${kind}: one successful claim per date, failed attempts beside it`, async (t) => {
    const fresh = await freshDatabase(kind);
    t.teardown(() => fresh.drop());
    const { db } = fresh.database;
    const startedAt = new Date('2026-04-01T09:00:00Z');

    t.equal(await latestRunAsOf(db), undefined, 'no run yet');
    await recordFailedRun(db, '2026-04-01', startedAt, 'boom');
    t.equal(await findRun(db, '2026-04-01'), undefined, 'a failed attempt is not the run');
    t.equal(await latestRunAsOf(db), undefined, 'nor the latest run');

    const id = await claimRun(db, '2026-04-01', startedAt);
    t.ok(id, 'a failed attempt does not hold the date');
    // What the run lock normally keeps from happening: the unique index still refuses a second claim.
    t.equal(await claimRun(db, '2026-04-01', startedAt), undefined, 'the date is claimed once');

    const run = await finishRun(db, id!, COUNTS, 2);
    t.match(run, { id, asOf: '2026-04-01', counts: COUNTS, remindersSent: 2, error: null });
    t.ok(run.finishedAt, 'finished');
    t.match(await findRun(db, '2026-04-01'), { id });
    await claimRun(db, '2026-03-01', startedAt);
    t.equal(await latestRunAsOf(db), '2026-04-01', 'the latest by as-of date, not by claim order');
  });
}
