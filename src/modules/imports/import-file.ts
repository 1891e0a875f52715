import { parse } from 'csv-parse/sync';
import { problem } from '../../errors.ts';

/** A row as read from the file, with the line it starts on (CSV) or its position (JSON). */
export interface RawRow {
  line: number;
  values: Record<string, unknown>;
  /** Set when the row cannot be read as a whole (a CSV row with the wrong number of fields). */
  problem?: string;
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
  if (!field)
    throw problem('unreadable-import-file', `Unknown column "${header}". Columns: ${[...new Set(Object.values(HEADERS))].join(', ')}.`, [{ in: 'file', field: header, message: 'unknown column' }]);
  return field;
}

/**
 * The line each record starts on, from the byte offsets where records end. The parser's own line
 * count drifts on CRLF inside quoted fields, so lines are counted here: those before the record,
 * plus any blank lines skipped in front of it.
 */
function startLines(bytes: Buffer, ends: number[]): number[] {
  let linesBefore = 0;
  let start = 0;
  return ends.map((end) => {
    const chunk = bytes.subarray(start, end).toString();
    const blank = /^(?:\r?\n)*/.exec(chunk)![0];
    const line = linesBefore + 1 + countNewlines(blank);
    linesBefore += countNewlines(chunk);
    start = end;
    return line;
  });
}

const countNewlines = (s: string) => s.split('\n').length - 1;

/**
 * A record of separators and whitespace only (",,,,,," is how Excel writes a formatted empty row):
 * a blank line. Dropped after the line count, so later rows keep their file lines.
 */
const isBlank = (record: string[]) => record.every((v) => v.trim() === '');

/** CSV as people export it: BOM or not, CRLF or LF, quoted fields with commas, quotes and newlines. */
export function readCsv(text: string): RawRow[] {
  const bytes = Buffer.from(text);
  let records: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    records = parse(bytes, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { message: string; lines?: number };
    throw problem('unreadable-import-file', `The CSV file could not be read: ${e.message}`, [{ in: 'file', field: e.lines ? `line ${e.lines}` : 'file', message: e.message }]);
  }
  const lines = startLines(
    bytes,
    records.map((r) => r.info.bytes),
  );
  const [header, ...rows] = records.map(({ record }, i) => ({ record, line: lines[i]! })).filter(({ record }) => !isBlank(record));
  const fields = header ? header.record.map(fieldFor) : [];
  const twice = fields.find((f, i) => fields.indexOf(f) !== i);
  if (twice) throw problem('unreadable-import-file', `Two columns hold ${twice}.`, [{ in: 'file', field: twice, message: 'column given twice' }]);
  return rows.map(({ record, line }) => ({
    line,
    values: Object.fromEntries(fields.map((f, j) => [f, record[j]])),
    ...(record.length !== fields.length && { problem: `${record.length} fields where the header has ${fields.length}` }),
  }));
}

export function readJson(rows: Array<Record<string, unknown>>): RawRow[] {
  return rows.map((values, i) => ({ line: i + 1, values }));
}
