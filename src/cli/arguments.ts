import { accessSync, constants, statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { EmailSchema } from '../../schemas/auth.ts';
import { DateSchema } from '../../schemas/common.ts';
import { londonDate, systemClock } from '../lib/clock.ts';

// Parsers for commander: each runs while the command line is read, before any action, so a
// wrong argument is reported without opening the database.

/** Far above any real register, low enough that a slip of the keyboard is not an hour of seeding. */
export const MAX_SEED = 1_000_000;

/** A real calendar date, YYYY-MM-DD, not after today in London (the job never runs ahead). */
export function parseAsOf(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('Expected a date as YYYY-MM-DD.');
  if (!DateSchema.safeParse(value).success) throw new InvalidArgumentError('That day does not exist.');
  const today = londonDate(systemClock());
  if (value > today) throw new InvalidArgumentError(`It is after today (${today}); the job runs only for past days and today.`);
  return value;
}

export function parseMediatorCount(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SEED) throw new InvalidArgumentError(`Expected a whole number from 1 to ${MAX_SEED}.`);
  return n;
}

export function parseEmail(value: string): string {
  const parsed = EmailSchema.safeParse(value.trim());
  if (!parsed.success) throw new InvalidArgumentError('Expected an email address.');
  return parsed.data;
}

export function parseName(value: string): string {
  const name = value.trim();
  if (name.length < 1 || name.length > 200) throw new InvalidArgumentError('Expected 1 to 200 characters.');
  return name;
}

/** A file this process can read, checked now rather than after the database is open. */
export function parseReadableFile(value: string): string {
  let isFile: boolean;
  try {
    isFile = statSync(value).isFile();
    accessSync(value, constants.R_OK);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new InvalidArgumentError(code === 'ENOENT' ? 'No such file.' : code === 'EACCES' ? 'Permission denied: the file cannot be read.' : String(err));
  }
  if (!isFile) throw new InvalidArgumentError('Not a file.');
  return value;
}
