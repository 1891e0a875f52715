import fc from 'fast-check';
import t from 'tap';
import { addDays as addDaysFns, differenceInCalendarDays, differenceInMonths, format, parseISO } from 'date-fns';
import { addDays, calendarDate, daysBetween, wholeMonthsBetween } from '../../src/lib/calendar.ts';

// Calendar arithmetic must agree with date-fns on plain dates, across leap years and clock changes.
const date = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

t.test('addDays agrees with date-fns', async (t) => {
  fc.assert(fc.property(date, fc.integer({ min: -3000, max: 3000 }), (d, n) => addDays(d, n) === format(addDaysFns(parseISO(d), n), 'yyyy-MM-dd')));
  t.equal(addDays('2024-02-28', 1), '2024-02-29');
  t.equal(addDays('2025-03-30', 1), '2025-03-31', 'the day the clocks go forward is still one day');
  t.equal(addDays('2026-03-31', 60), '2026-05-30');
});

t.test('daysBetween agrees with date-fns and is the inverse of addDays', async (t) => {
  fc.assert(fc.property(date, date, (a, b) => daysBetween(a, b) === differenceInCalendarDays(parseISO(b), parseISO(a))));
  fc.assert(fc.property(date, fc.integer({ min: -3000, max: 3000 }), (d, n) => daysBetween(d, addDays(d, n)) === n));
  t.equal(daysBetween('2026-03-01', '2026-03-31'), 30);
  t.equal(daysBetween('2026-03-31', '2026-03-01'), -30);
});

t.test('calendarDate pads', async (t) => {
  t.equal(calendarDate(2026, 4, 1), '2026-04-01');
  t.equal(calendarDate(2026, 12, 28), '2026-12-28');
});

t.test('wholeMonthsBetween counts whole months up to a register-year start', async (t) => {
  // The later date is always a year start (day 1 to 28), where date-fns has no end-of-month special case.
  const yearStart = fc.tuple(fc.integer({ min: 1991, max: 2090 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => calendarDate(y, m, d));
  fc.assert(fc.property(date, yearStart, (from, to) => from > to || wholeMonthsBetween(from, to) === differenceInMonths(parseISO(to), parseISO(from))));
  t.equal(wholeMonthsBetween('2025-05-01', '2026-04-01'), 11);
  t.equal(wholeMonthsBetween('2025-05-02', '2026-04-01'), 10);
  t.equal(wholeMonthsBetween('2026-03-31', '2026-04-01'), 0);
  t.equal(wholeMonthsBetween('2024-02-29', '2024-04-01'), 1);
});
