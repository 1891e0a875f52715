/**
 * Calendar dates (YYYY-MM-DD) as whole days. The arithmetic runs in UTC, where every day has 24
 * hours, so it is exact whatever the server's zone and never pays for time-zone lookups (the
 * compliance job does this for every mediator and period).
 */
const MS_PER_DAY = 86_400_000;

const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
const fromDayNumber = (day: number) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

export const calendarDate = (year: number, month: number, day: number) => `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
export const addDays = (date: string, days: number) => fromDayNumber(dayNumber(date) + days);
/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from);
/** Whole months from `from` to a later `to`: a month is whole once `to` reaches the same day of the month. */
export function wholeMonthsBetween(from: string, to: string): number {
  const months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
  return Math.max(0, to.slice(8, 10) < from.slice(8, 10) ? months - 1 : months);
}

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
/** A date as people write it: 2025-04-01 → 1 April 2025. */
export const dateLabel = (isoDate: string) => longDate.format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`));
