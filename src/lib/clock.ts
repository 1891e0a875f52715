import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

export const LONDON = 'Europe/London';

/** Injected everywhere "now" matters, so tests can travel in time. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** The calendar date (YYYY-MM-DD) in London at an instant. */
export function londonDate(instant: Date): string {
  return format(new TZDate(instant.getTime(), LONDON), 'yyyy-MM-dd');
}
