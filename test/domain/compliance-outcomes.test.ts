import t from 'tap';
import { daysUntil, decideOutcome, dueReminderOffset, graceEnd, OUTCOME_COUNT } from '../../src/domain/compliance-outcomes.ts';
import { COMPLIANCE_OUTCOMES } from '../../src/domain/vocabulary.ts';
import type { Deficit } from '../../src/domain/evaluation.ts';

const short: Deficit[] = [{ metric: 'cpd_hours', required: 10, achieved: 6, shortfall: 4 }];

t.test('grace ends grace-days after the period, or on a later extension', async (t) => {
  t.equal(graceEnd('2026-03-31', 60, null), '2026-05-30');
  t.equal(graceEnd('2028-03-31', 60, null), '2028-05-30', 'leap year: 29 February is not in the grace days');
  t.equal(graceEnd('2026-03-31', 60, '2026-07-31'), '2026-07-31');
  t.equal(graceEnd('2026-03-31', 60, '2026-05-01'), '2026-05-30', 'an extension never shortens grace');
});

t.test('outcome on an as-of date', async (t) => {
  const cases: Array<[string, Parameters<typeof decideOutcome>[0], string]> = [
    ['nothing missing', { asOf: '2026-04-01', graceEndsOn: '2026-05-30', exempt: false, deficits: [] }, 'compliant'],
    ['exempt wins over deficits', { asOf: '2026-06-30', graceEndsOn: '2026-05-30', exempt: true, deficits: short }, 'exempt'],
    ['short, grace running', { asOf: '2026-04-01', graceEndsOn: '2026-05-30', exempt: false, deficits: short }, 'in_grace'],
    ['short, on the last day of grace', { asOf: '2026-05-30', graceEndsOn: '2026-05-30', exempt: false, deficits: short }, 'in_grace'],
    ['short, the day after grace', { asOf: '2026-05-31', graceEndsOn: '2026-05-30', exempt: false, deficits: short }, 'non_compliant'],
  ];
  for (const [name, input, expected] of cases) t.equal(decideOutcome(input), expected, name);
});

t.test('reminders: the nearest offset reached, none before the first or after the end', async (t) => {
  const offsets = [60, 30, 7];
  const cases: Array<[number, number | null]> = [
    [61, null],
    [60, 60],
    [45, 60],
    [30, 30],
    [8, 30],
    [7, 7],
    [0, 7],
    [-1, null],
  ];
  for (const [daysLeft, expected] of cases) t.equal(dueReminderOffset(daysLeft, offsets), expected, `${daysLeft} days left`);
  t.equal(dueReminderOffset(10, []), null, 'no offsets, no reminders');
});

t.test('days until', async (t) => {
  t.equal(daysUntil('2026-01-30', '2026-03-31'), 60);
  t.equal(daysUntil('2026-03-29', '2026-03-30'), 1, 'across the clocks going forward');
  t.equal(daysUntil('2026-03-31', '2026-03-31'), 0);
});

t.test('each outcome adds to its own run count', async (t) => {
  t.same(OUTCOME_COUNT, { compliant: 'compliant', in_grace: 'inGrace', non_compliant: 'nonCompliant', exempt: 'exempt' });
  t.equal(new Set(COMPLIANCE_OUTCOMES.map((o) => OUTCOME_COUNT[o])).size, COMPLIANCE_OUTCOMES.length, 'no two outcomes share a count');
});
