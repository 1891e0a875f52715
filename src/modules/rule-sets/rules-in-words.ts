import { addDays, calendarDate } from '../../lib/calendar.ts';
import type { Requirement, RuleSet } from '../../domain/rule-set.ts';
import type { CpdCategory, Metric } from '../../domain/vocabulary.ts';
import { BODY_LABELS } from '../public-pages/labels.ts';

/** What a parent reads for each CPD category (a cap names the kind of training it limits). */
const CATEGORY_WORDS: Record<CpdCategory, string> = {
  course: 'courses',
  conference: 'conferences',
  peer_learning: 'learning with other mediators',
  self_study: 'self-study',
  delivering_training: 'delivering training',
  other: 'other kinds of training',
};

const amount = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const hours = (n: number) => amount(n, 'hour', 'hours');

/** A requirement's amount and what it counts, without who it applies to: "at least 10 hours of training". */
function demand(metric: Metric, minimum: number): string {
  switch (metric) {
    case 'cpd_hours':
      return `at least ${hours(minimum)} of training`;
    case 'send_cpd_hours':
      return `at least ${hours(minimum)} of training about special educational needs and disabilities (SEND)`;
    case 'practice_hours':
      return `at least ${hours(minimum)} of mediation practice`;
    case 'send_mediations':
      return `at least ${amount(minimum, 'SEND mediation', 'SEND mediations')} (leading or co-mediating)`;
    case 'supervision_hours':
      return `at least ${hours(minimum)} of supervision by a more experienced mediator`;
  }
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** One requirement as one sentence: "Members of the College of Mediators: at least 4 hours of supervision ... each year." */
export function requirementInWords(r: Requirement): string {
  const text = `${demand(r.metric, r.minimum)} each year.`;
  return r.body ? `Members of the ${BODY_LABELS[r.body]}: ${text}` : capitalised(text);
}

/** A cap on one kind of training: "At most 3 hours of self-study count towards the training hours." */
export function capInWords(category: CpdCategory, maximumHours: number): string {
  return `At most ${hours(maximumHours)} of ${CATEGORY_WORDS[category]} ${maximumHours === 1 ? 'counts' : 'count'} towards the training hours.`;
}

/** "a, b and c" */
const listed = (parts: string[]) => (parts.length < 2 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`);

/**
 * The whole of a rule set's annual requirements in a sentence or two, for a parent: "Each year, every
 * mediator must do at least 10 hours of training, of which at least 5 hours about SEND, ...".
 * The SEND hours are part of the training hours (evaluation counts SEND CPD in both), so they read
 * as "of which" when both are required.
 */
export function ruleSetSummary(set: Pick<RuleSet, 'requirements'>): string {
  const everyone = set.requirements.filter((r) => r.body === null);
  const cpd = everyone.find((r) => r.metric === 'cpd_hours');
  const send = everyone.find((r) => r.metric === 'send_cpd_hours');
  const parts = everyone
    .filter((r) => !(cpd && r === send))
    .map((r) => (r === cpd && send ? `${demand(r.metric, r.minimum)}, of which ${demand(send.metric, send.minimum).replace(' of training', '')}` : demand(r.metric, r.minimum)));
  const sentences = parts.length ? [`Each year, every mediator must do ${listed(parts)}.`] : [];
  for (const body of new Set(set.requirements.flatMap((r) => (r.body ? [r.body] : [])))) {
    const theirs = set.requirements.filter((r) => r.body === body).map((r) => demand(r.metric, r.minimum));
    sentences.push(`Members of the ${BODY_LABELS[body]} must ${parts.length ? 'also ' : ''}do ${listed(theirs)}.`);
  }
  return sentences.join(' ');
}

const monthDay = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });
/** "1 April" for 2001-04-01 (any year: only the day and month show). */
const dayAndMonth = (date: string) => monthDay.format(new Date(`${date}T00:00:00Z`));

/** The rest of a rule set in words: when the year runs, the first year, catching up after the year ends. */
export function termsInWords(set: Pick<RuleSet, 'yearStartMonth' | 'yearStartDay' | 'graceDays' | 'proRateFirstPeriod'>): string[] {
  // In a year that is not a leap year, so a year starting 1 March ends on 28 February.
  const start = calendarDate(2001, set.yearStartMonth, set.yearStartDay);
  const terms = [`The register year runs from ${dayAndMonth(start)} to ${dayAndMonth(addDays(start, -1))}.`];
  if (set.proRateFirstPeriod)
    terms.push('A mediator who joins the register part of the way through a year needs less in that first year: the amounts are reduced in proportion to the whole months left.');
  terms.push(
    set.graceDays > 0
      ? `A mediator who has not done enough by the end of the year has ${amount(set.graceDays, 'day', 'days')} to catch up. If they still have not, their accreditation lapses.`
      : 'A mediator who has not done enough by the end of the year loses their accreditation (it lapses).',
  );
  return terms;
}
