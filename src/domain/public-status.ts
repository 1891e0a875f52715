/**
 * What the public register says about an entry's status: in plain words, on a date, and for how
 * long a removed entry stays findable. Plain functions of the status history, no HTTP or SQL.
 */
import { dateLabel } from '../lib/calendar.ts';
import type { EntryStatus } from './vocabulary.ts';

/** One sentence a parent can read: what the status means for booking this mediator. Never a reason. */
export function explainStatus(status: EntryStatus, since: string): string {
  const on = dateLabel(since);
  switch (status) {
    case 'accredited':
      return `Accredited since ${on}: this mediator meets the register’s standards and may be booked as an accredited SEND mediator.`;
    case 'suspended':
      return `Suspended on ${on}: this mediator is not accredited while the suspension lasts and should not be booked as an accredited SEND mediator.`;
    case 'lapsed':
      return `Lapsed on ${on}: this mediator’s accreditation has ended, so they are not currently accredited, though it can be restored if they meet the requirements again.`;
    case 'removed':
      return `Removed from the register on ${on}: this mediator is no longer accredited as a SEND mediator.`;
  }
}

/**
 * The first London date of removal still in public view: a removed entry leaves it (410 Gone) once
 * its removal is more than `years` years before `today`. Compared as date strings, the cutoff needs
 * no valid date (29 February).
 */
export const removedVisibleFrom = (today: string, years: number) => `${String(Number(today.slice(0, 4)) - years).padStart(4, '0')}${today.slice(4)}`;

/** Whether an entry has left public view: removed before `visibleFrom` (see removedVisibleFrom). */
export const isGone = (entry: { status: EntryStatus; statusSince: string }, visibleFrom: string) => entry.status === 'removed' && entry.statusSince < visibleFrom;

/** A status change as published: the status it moved to, on a London date. Oldest first in a history. */
export interface HistoryEntry {
  status: EntryStatus;
  date: string;
}

export type StatusOnDate = { status: EntryStatus; since: string; historyEntry: HistoryEntry } | { status: 'not_registered'; since: null; historyEntry: null };

/**
 * The status in force at the end of `asOf`: the last change on or before that day (the last of the
 * day when there were several), or `not_registered` before the first accreditation.
 */
export function statusOn(history: readonly HistoryEntry[], asOf: string): StatusOnDate {
  const entry = history.findLast((h) => h.date <= asOf);
  return entry ? { status: entry.status, since: entry.date, historyEntry: { status: entry.status, date: entry.date } } : { status: 'not_registered', since: null, historyEntry: null };
}
