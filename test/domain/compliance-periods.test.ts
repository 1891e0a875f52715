import t from 'tap';
import { achievedFrom, evaluate, noAchievement, unmet, type CpdTally, type PracticeTally } from '../../src/domain/evaluation.ts';
import { obligationsStart, periodInYear, periodsOf } from '../../src/domain/periods.ts';
import { registerYearAt, registerYearOf } from '../../src/domain/register-year.ts';
import { requirementsFor, wholeMonthsRemaining } from '../../src/domain/requirements.ts';
import { ruleSetInForce, type RuleSet } from '../../src/domain/rule-set.ts';

const april = { yearStartMonth: 4, yearStartDay: 1 };
const defaults: RuleSet = {
  id: 'default',
  effectiveFrom: '2018-04-01',
  ...april,
  requirements: [
    { metric: 'cpd_hours', minimum: 10, body: null },
    { metric: 'send_cpd_hours', minimum: 5, body: null },
    { metric: 'practice_hours', minimum: 15, body: null },
    { metric: 'send_mediations', minimum: 2, body: null },
    { metric: 'supervision_hours', minimum: 4, body: 'com' },
  ],
  categoryCaps: {},
  graceDays: 60,
  reminderOffsets: [60, 30, 7],
  graceReminderDays: 14,
  proRateFirstPeriod: true,
};

t.test('the register year containing a date', async (t) => {
  const table: Array<[string, number, string, string]> = [
    ['2025-03-31', 2024, '2024-04-01', '2025-03-31'],
    ['2025-04-01', 2025, '2025-04-01', '2026-03-31'],
    ['2024-02-29', 2023, '2023-04-01', '2024-03-31'],
    ['2025-12-31', 2025, '2025-04-01', '2026-03-31'],
    ['2026-01-01', 2025, '2025-04-01', '2026-03-31'],
  ];
  for (const [date, year, start, end] of table) t.same(registerYearOf(date, april), { year, start, end }, date);
  t.same(registerYearOf('2025-09-01', { yearStartMonth: 9, yearStartDay: 1 }), { year: 2025, start: '2025-09-01', end: '2026-08-31' }, 'another start month');
  t.same(registerYearOf('2025-01-15', { yearStartMonth: 1, yearStartDay: 1 }), { year: 2025, start: '2025-01-01', end: '2025-12-31' }, 'calendar years');
});

t.test('instants are placed by the date in London, across the clocks changing', async (t) => {
  // BST (UTC+1) from 30 March 2025: 23:30 UTC on 31 March is already 1 April in London.
  t.equal(registerYearAt(new Date('2025-03-31T23:30:00Z'), april).year, 2025, 'after midnight in London during BST');
  t.equal(registerYearAt(new Date('2025-03-31T22:59:59Z'), april).year, 2024, 'still 31 March in London');
  // Clocks went forward at 01:00 UTC on 30 March 2025: that day still belongs to the old year.
  t.equal(registerYearAt(new Date('2025-03-30T01:30:00Z'), april).year, 2024);
  // Clocks went back at 01:00 UTC on 26 October 2025: no effect on the year.
  t.equal(registerYearAt(new Date('2025-10-26T00:30:00Z'), april).year, 2025);
  t.same(registerYearOf('2026-03-29', april).end, '2026-03-31', 'the year spanning a clock change still ends on 31 March');
});

t.test("a mediator's periods", async (t) => {
  t.same(
    periodsOf('2024-04-01', '2025-06-01', [defaults]).map((p) => [p.year, p.start, p.end, p.partial]),
    [
      [2024, '2024-04-01', '2025-03-31', false],
      [2025, '2025-04-01', '2026-03-31', false],
    ],
    'from a year start: whole years',
  );
  t.same(
    periodsOf('2024-02-29', '2024-04-01', [defaults]).map((p) => [p.year, p.start, p.end, p.partial]),
    [
      [2023, '2024-02-29', '2024-03-31', true],
      [2024, '2024-04-01', '2025-03-31', false],
    ],
    'accredited on 29 February: a partial first period',
  );
  t.same(
    periodsOf('2025-03-31', '2025-03-31', [defaults]).map((p) => [p.year, p.start, p.end, p.partial]),
    [[2024, '2025-03-31', '2025-03-31', true]],
    'accredited on the last day of a year: a one-day period',
  );
  t.same(periodsOf('2026-01-01', '2025-12-31', [defaults]), [], 'nothing before obligations start');
  t.equal(periodInYear('2025-05-10', 2025, [defaults])?.start, '2025-05-10');
  t.equal(periodInYear('2025-05-10', 2024, [defaults]), null, 'no period before the start');
  t.equal(obligationsStart({ complianceStartOn: '2025-04-01', firstAccreditedOn: '2019-06-01' }), '2025-04-01', 'grandfathered: the compliance start');
  t.equal(obligationsStart({ complianceStartOn: null, firstAccreditedOn: '2025-06-01' }), '2025-06-01');
  t.equal(obligationsStart({ complianceStartOn: null, firstAccreditedOn: null }), null);
});

t.test("the set in force at a period's start governs it", async (t) => {
  const next: RuleSet = { ...defaults, id: 'next', effectiveFrom: '2026-04-01', requirements: [{ metric: 'cpd_hours', minimum: 12, body: null }] };
  const calendar: RuleSet = { ...defaults, id: 'calendar', effectiveFrom: '2027-04-01', yearStartMonth: 1, yearStartDay: 1 };
  t.equal(ruleSetInForce([next, defaults], '2026-03-31').id, 'default');
  t.equal(ruleSetInForce([next, defaults], '2026-04-01').id, 'next');
  t.equal(ruleSetInForce([next, defaults], '2010-01-01').id, 'default', 'before every set: the earliest');
  t.same(
    periodsOf('2025-04-01', '2028-06-01', [defaults, next, calendar]).map((p) => [p.start, p.end, p.ruleSet.id]),
    [
      ['2025-04-01', '2026-03-31', 'default'],
      ['2026-04-01', '2027-03-31', 'next'],
      ['2027-04-01', '2027-12-31', 'calendar'],
      ['2028-01-01', '2028-12-31', 'calendar'],
    ],
    'a new year start ends the year in progress early, then runs whole years',
  );
});

t.test('requirements for a period: pro-rating and body scope', async (t) => {
  const req = (start: string, body: 'com' | 'cmc' | null) => {
    const [p] = periodsOf(start, start, [defaults]);
    return Object.fromEntries(requirementsFor(defaults, p!, body).map((r) => [r.metric, r.required]));
  };
  t.same(req('2025-04-01', 'com'), { cpd_hours: 10, send_cpd_hours: 5, practice_hours: 15, send_mediations: 2, supervision_hours: 4 }, 'a whole year for CoM');
  t.same(req('2025-04-01', 'cmc'), { cpd_hours: 10, send_cpd_hours: 5, practice_hours: 15, send_mediations: 2 }, 'no supervision for CMC');
  t.same(req('2025-04-01', null), { cpd_hours: 10, send_cpd_hours: 5, practice_hours: 15, send_mediations: 2 }, 'a body-scoped requirement needs that body');
  // 1 October to 31 March: 6 whole months → half of everything.
  t.same(req('2025-10-01', 'com'), { cpd_hours: 5, send_cpd_hours: 2.5, practice_hours: 7.5, send_mediations: 1, supervision_hours: 2 });
  // 2 April: 11 whole months. 10×11/12 = 9.17 → 9.5; 5×11/12 = 4.58 → 5; 15×11/12 = 13.75 → 14; 2×11/12 → 2; 4×11/12 = 3.67 → 4.
  t.same(req('2025-04-02', 'com'), { cpd_hours: 9.5, send_cpd_hours: 5, practice_hours: 14, send_mediations: 2, supervision_hours: 4 });
  // 15 January: 2 whole months (to 15 March). 10/6 = 1.67 → 2; 5/6 → 1; 2.5 → 2.5; 2/6 → 1 count; 4/6 → 1.
  t.same(req('2026-01-15', 'com'), { cpd_hours: 2, send_cpd_hours: 1, practice_hours: 2.5, send_mediations: 1, supervision_hours: 1 });
  t.same(req('2026-03-31', 'com'), { cpd_hours: 0, send_cpd_hours: 0, practice_hours: 0, send_mediations: 0, supervision_hours: 0 }, 'last day of a year: no whole month left, nothing required');
  t.same(req('2024-02-29', 'cmc'), { cpd_hours: 1, send_cpd_hours: 0.5, practice_hours: 1.5, send_mediations: 1 }, '29 February: one whole month');
  t.equal(wholeMonthsRemaining('2024-02-29', '2024-03-31'), 1);
  t.equal(wholeMonthsRemaining('2025-03-01', '2025-03-31'), 1, 'a whole March');
  const noProRating = { ...defaults, proRateFirstPeriod: false };
  const [p] = periodsOf('2025-10-01', '2025-10-01', [noProRating]);
  t.equal(requirementsFor(noProRating, p!, 'cmc')[0]!.required, 10, 'pro-rating switched off: full requirements');
});

t.test('evaluation with caps', async (t) => {
  const cpd: CpdTally[] = [
    { category: 'course', sendSpecific: true, hours: 3 },
    { category: 'self_study', sendSpecific: true, hours: 4 },
    { category: 'self_study', sendSpecific: false, hours: 2 },
    { category: 'conference', sendSpecific: false, hours: 1.5 },
  ];
  const practice: PracticeTally[] = [
    { kind: 'send_mediation', hours: 6, entries: 2 },
    { kind: 'send_co_mediation', hours: 3, entries: 1 },
    { kind: 'other_mediation', hours: 5.25, entries: 3 },
    { kind: 'supervision_received', hours: 2, entries: 2 },
  ];
  t.same(achievedFrom(cpd, practice, {}), { cpd_hours: 10.5, send_cpd_hours: 7, practice_hours: 14.25, send_mediations: 3, supervision_hours: 2 }, 'no caps');
  t.same(achievedFrom(cpd, practice, { self_study: 3 }), { cpd_hours: 7.5, send_cpd_hours: 6, practice_hours: 14.25, send_mediations: 3, supervision_hours: 2 }, 'self-study counted up to 3 h');
  t.same(achievedFrom([], [], {}), { cpd_hours: 0, send_cpd_hours: 0, practice_hours: 0, send_mediations: 0, supervision_hours: 0 });
  t.same(noAchievement(), achievedFrom([], [], {}), 'no achievement is what no entries achieve');
  t.not(noAchievement(), noAchievement(), 'a fresh object each time, safe to add to');

  const [p] = periodsOf('2025-04-01', '2025-04-01', [defaults]);
  const progress = evaluate(requirementsFor(defaults, p!, 'com'), achievedFrom(cpd, practice, { self_study: 3 }));
  t.same(progress, [
    { metric: 'cpd_hours', required: 10, achieved: 7.5, shortfall: 2.5 },
    { metric: 'send_cpd_hours', required: 5, achieved: 6, shortfall: 0 },
    { metric: 'practice_hours', required: 15, achieved: 14.25, shortfall: 0.75 },
    { metric: 'send_mediations', required: 2, achieved: 3, shortfall: 0 },
    { metric: 'supervision_hours', required: 4, achieved: 2, shortfall: 2 },
  ]);
  t.same(
    unmet(progress).map((u) => u.metric),
    ['cpd_hours', 'practice_hours', 'supervision_hours'],
  );
  t.same(
    unmet(evaluate(requirementsFor(defaults, p!, 'cmc'), achievedFrom(cpd, practice, {}))).map((u) => u.metric),
    ['practice_hours'],
    'CMC: supervision not required',
  );
});
