export const LONDON = 'Europe/London';

/** Injected everywhere "now" matters, so tests can travel in time. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

// One formatter for every call: a TZDate formatted by date-fns took ten times as long, and every
// log write asks for today's date.
const londonDay = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar date (YYYY-MM-DD) in London at an instant. */
export function londonDate(instant: Date): string {
  let year = '';
  let month = '';
  let day = '';
  for (const part of londonDay.formatToParts(instant)) {
    if (part.type === 'year') year = part.value.padStart(4, '0');
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
  }
  return `${year}-${month}-${day}`;
}
