import { addDays, calendarDate } from '../lib/calendar.ts';
import { londonDate } from '../lib/clock.ts';

/** When a register year begins: 1 April by default (month 1-12, day 1-28 so every year has it). */
export interface YearStart {
  yearStartMonth: number;
  yearStartDay: number;
}

export interface RegisterYear {
  /** The calendar year in which the register year starts ("2025" is 1 April 2025 to 31 March 2026). */
  year: number;
  start: string;
  end: string;
}

export const nextDay = (date: string) => addDays(date, 1);

export function registerYear(year: number, s: YearStart): RegisterYear {
  return {
    year,
    start: calendarDate(year, s.yearStartMonth, s.yearStartDay),
    end: addDays(calendarDate(year + 1, s.yearStartMonth, s.yearStartDay), -1),
  };
}

/** The register year containing a calendar date. */
export function registerYearOf(date: string, s: YearStart): RegisterYear {
  const y = Number(date.slice(0, 4));
  const same = registerYear(y, s);
  return date >= same.start ? same : registerYear(y - 1, s);
}

/** The register year containing an instant: the date is London's, whatever the server's zone. */
export function registerYearAt(instant: Date, s: YearStart): RegisterYear {
  return registerYearOf(londonDate(instant), s);
}

/** A register year as people write it: "2025/26", or "2025" when it runs January to December. */
export function registerYearLabel({ year, end }: Pick<RegisterYear, 'year' | 'end'>): string {
  const endYear = end.slice(0, 4);
  return endYear === String(year) ? endYear : `${year}/${endYear.slice(2)}`;
}
