import { parse } from 'csv-parse/sync';
import { badRequest } from '../../errors.ts';

/** A row as read from the file, with the line it starts on (CSV) or its position (JSON). */
export interface RawRow {
  line: number;
  values: Record<string, unknown>;
}

// Header names as people write them → our field names. Matched ignoring case, spaces, _ and -.
const HEADERS: Record<string, string> = {
  name: 'fullName',
  fullname: 'fullName',
  email: 'email',
  body: 'body',
  membershipnumber: 'membershipNumber',
  membershipno: 'membershipNumber',
  firstaccreditedon: 'firstAccreditedOn',
  regions: 'regions',
  languages: 'languages',
  organisation: 'organisation',
  organization: 'organisation',
  contactemail: 'contactEmail',
  contactphone: 'contactPhone',
  website: 'website',
  showemail: 'showEmail',
  showphone: 'showPhone',
  showwebsite: 'showWebsite',
};

function fieldFor(header: string): string {
  const field = HEADERS[header.toLowerCase().replace(/[\s_-]+/g, '')];
  if (!field) throw badRequest(`Unknown column "${header}". Columns: ${[...new Set(Object.values(HEADERS))].join(', ')}.`, [{ in: 'file', field: header, message: 'unknown column' }]);
  return field;
}

/** CSV as people export it: BOM or not, CRLF or LF, quoted fields with commas, quotes and newlines. */
export function readCsv(text: string): RawRow[] {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => header.map(fieldFor),
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as typeof records;
  } catch (err) {
    if ((err as { status?: number }).status === 400) throw err;
    const e = err as { message: string; lines?: number };
    throw badRequest(`The CSV file could not be read: ${e.message}`, [{ in: 'file', field: e.lines ? `line ${e.lines}` : 'file', message: e.message }]);
  }
  // `info.lines` is the line the record ends on; a record with embedded newlines starts earlier.
  let nextStart = 2;
  return records.map(({ record, info }) => {
    const row = { line: nextStart, values: record };
    nextStart = info.lines + 1;
    return row;
  });
}

export function readJson(rows: Array<Record<string, unknown>>): RawRow[] {
  return rows.map((values, i) => ({ line: i + 1, values }));
}
