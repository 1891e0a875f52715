import fc from 'fast-check';
import t from 'tap';
import { addDays as addDaysFns, differenceInCalendarDays, format, parseISO } from 'date-fns';
import { addDays, calendarDate, daysBetween } from '../../src/lib/calendar.ts';

// Calendar arithmetic must agree with date-fns on plain dates, across leap years and clock changes.
const date = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

t.test('addDays agrees with date-fns', async (t) => {
  fc.assert(
    fc.property(date, fc.integer({ min: -3000, max: 3000 }), (d, n) => addDays(d, n) === format(addDaysFns(parseISO(d), n), 'yyyy-MM-dd')),
  );
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
