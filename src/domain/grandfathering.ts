import { addYears, format, parseISO } from 'date-fns';

/**
 * Grandfathered members' obligations start with the first register year beginning on or after the
 * configured start date (DOMAIN.md). Register years start on `monthDay` (default 1 April).
 */
export function firstRegisterYearStartOnOrAfter(date: string, monthDay = '04-01'): string {
  const sameYear = `${date.slice(0, 4)}-${monthDay}`;
  return sameYear >= date ? sameYear : format(addYears(parseISO(sameYear), 1), 'yyyy-MM-dd');
}
