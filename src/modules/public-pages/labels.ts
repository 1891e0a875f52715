import { dateLabel } from '../../lib/calendar.ts';

/** Words a member of the public reads instead of codes. */
export const REGION_LABELS: Record<string, string> = {
  north_east: 'North East',
  north_west: 'North West',
  yorkshire_and_the_humber: 'Yorkshire and the Humber',
  east_midlands: 'East Midlands',
  west_midlands: 'West Midlands',
  east_of_england: 'East of England',
  london: 'London',
  south_east: 'South East',
  south_west: 'South West',
  national: 'National (remote, anywhere in England)',
};

/** An entry's areas as the public reads them: the regions it covers, and `national` as what it means. */
export function areasLabel(regions: string[]): string {
  const local = regions.filter((r) => r !== 'national').map((r) => REGION_LABELS[r] ?? r);
  if (!regions.includes('national')) return local.join(', ') || 'Not stated';
  return local.length ? `${local.join(', ')}; works remotely across England` : 'Works remotely across England';
}

export const BODY_LABELS: Record<string, string> = {
  com: 'College of Mediators',
  cmc: 'Civil Mediation Council',
};

/** The count above a search's results: exact, or past the API's cap (`atLeast`) a lower bound. */
export function resultCountLabel(total: number, atLeast: boolean, similar: boolean): string {
  const count = `${atLeast ? 'More than ' : ''}${total.toLocaleString('en-GB')}`;
  const things = total === 1 && !atLeast ? 'mediator' : 'mediators';
  return similar ? `${count} ${things} with similar names` : `${count} ${things} found`;
}

/** What an entry that is not accredited now says in a list of results: "Not currently accredited: lapsed on 31 May 2026". */
const NOT_ACCREDITED: Record<string, string> = { suspended: 'suspended', lapsed: 'lapsed', removed: 'removed from the register' };
export function notAccreditedLabel(status: string, since: string): string | null {
  return status in NOT_ACCREDITED ? `Not currently accredited: ${NOT_ACCREDITED[status]} on ${dateLabel(since)}` : null;
}

/** A status on a date in words: "On 12 March 2026, Lee Jones was not accredited: their accreditation had lapsed (since 31 May 2025)." */
const ON_DATE: Record<string, string> = {
  accredited: 'was accredited',
  suspended: 'was suspended, so not accredited',
  lapsed: 'was not accredited: their accreditation had lapsed',
  removed: 'was not accredited: they had been removed from the register',
  not_registered: 'was not yet on the register',
};
export function statusOnDateLabel(fullName: string, { asOf, status, since }: { asOf: string; status: string; since: string | null }): string {
  return `On ${dateLabel(asOf)}, ${fullName} ${ON_DATE[status] ?? status}${since ? ` (since ${dateLabel(since)})` : ''}.`;
}

export const STATUS_LABELS: Record<string, string> = {
  accredited: 'Accredited',
  suspended: 'Suspended',
  lapsed: 'Lapsed',
  removed: 'Removed from the register',
};

/** Languages offered in the search form: English, Welsh, British Sign Language and England's most spoken others. */
export const SEARCH_LANGUAGES = ['en', 'cy', 'bfi', 'pl', 'ro', 'pa', 'ur', 'bn', 'gu', 'ar', 'so', 'pt', 'es', 'tr', 'ta', 'zh', 'fr', 'lt'];

const names = new Intl.DisplayNames(['en-GB'], { type: 'language', fallback: 'code' });
export function languageLabel(tag: string): string {
  if (tag === 'bfi') return 'British Sign Language';
  if (tag === 'bn') return 'Bengali';
  try {
    return names.of(tag) ?? tag;
  } catch {
    return tag;
  }
}

export { dateLabel };
