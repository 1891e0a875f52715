import t from 'tap';
import { scheduleCompliance } from '../../../src/modules/compliance/schedule.ts';
import { testClock } from '../../helpers/app.ts';

// The schedule's timer is unref'd (it must not keep a server from exiting): hold the test open.
const hold = setInterval(() => {}, 1000);
t.teardown(() => clearInterval(hold));

t.test('a scheduled tick runs the job for the London date of the clock', async (t) => {
  // 23:30 UTC on 30 June is already 1 July in London (BST).
  const clock = testClock('2026-06-30T23:30:00Z');
  const errors: unknown[] = [];
  const asOf = await new Promise<string>((resolve) => {
    const stop = scheduleCompliance({
      cron: '* * * * * *',
      clock,
      run: async (d) => {
        stop();
        resolve(d);
      },
      onError: (err) => errors.push(err),
    });
  });
  t.equal(asOf, '2026-07-01');
  t.same(errors, []);
});

t.test('a failing run is reported, not thrown', async (t) => {
  const err = await new Promise<unknown>((resolve) => {
    const stop = scheduleCompliance({
      cron: '* * * * * *',
      clock: testClock(),
      run: async () => {
        stop();
        throw new Error('database gone');
      },
      onError: resolve,
    });
  });
  t.match(err, { message: 'database gone' });
});
