import { Readable } from 'node:stream';
import type { Db } from '../../db/client.ts';
import { notFound } from '../../errors.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { PublicEntryKeys, type RegisterSearchQuery } from '../../../schemas/register.ts';
import { findAccreditedEntry, publicHistory, registerHead, searchEntries, type PublicEntryRow } from './register-repository.ts';

const EXPORT_BATCH = 1000;

/** Only the allow-listed keys; the route's response schema enforces the same list again. */
function toPublic(row: PublicEntryRow) {
  return Object.fromEntries(PublicEntryKeys.map((k) => [k, row[k as keyof PublicEntryRow]])) as Omit<PublicEntryRow, 'sortName' | 'group' | 'score'>;
}
export type PublicEntry = ReturnType<typeof toPublic>;

/** Where a search resumes after `row` (see searchEntries): its group first, then its place in the group's order. */
const keyOf = (row: PublicEntryRow, withQuery: boolean): unknown[] =>
  withQuery ? [row.group, row.score, row.sortName, row.id] : [row.group, row.sortName, row.id];

const CSV_COLUMNS = PublicEntryKeys;
const csvCell = (v: unknown) => {
  const s = Array.isArray(v) ? v.join(';') : v === null || v === undefined ? '' : String(v);
  // Quote everything that needs it; neutralise spreadsheet formulas (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The public register: search, one entry, its history, the open-data export. */
export function createRegisterService({ db }: { db: Db }) {
  async function search(query: RegisterSearchQuery) {
    const after = decodeCursor(query.cursor, query.q ? 4 : 3);
    const { rows, match } = await searchEntries(db, query, after);
    const items = rows.slice(0, query.limit);
    const last = rows.length > query.limit ? items[items.length - 1] : undefined;
    return { items: items.map(toPublic), nextCursor: last ? encodeCursor(keyOf(last, Boolean(query.q))) : null, match };
  }

  /** Every accredited entry in name order, a batch at a time: memory stays flat however large the register. */
  async function* allEntries(): AsyncGenerator<PublicEntry> {
    let after: unknown[] | null = null;
    for (;;) {
      const { rows } = await searchEntries(db, { limit: EXPORT_BATCH }, after);
      for (const row of rows.slice(0, EXPORT_BATCH)) yield toPublic(row);
      if (rows.length <= EXPORT_BATCH) return;
      after = keyOf(rows[EXPORT_BATCH - 1]!, false);
    }
  }

  return {
    search,

    async entry(id: string): Promise<PublicEntry> {
      const row = await findAccreditedEntry(db, id);
      if (!row) throw notFound('The register entry');
      return toPublic(row);
    },

    /** Status and date only (reasons stay internal); 404 unless the entry is accredited now. */
    async history(id: string) {
      if (!(await findAccreditedEntry(db, id))) throw notFound('The register entry');
      return publicHistory(db, id);
    },

    /** ETag and Last-Modified of the export: the position and time of the latest public change. */
    async version() {
      const { position, changedAt } = await registerHead(db);
      return { etag: `"${position}"`, lastModified: changedAt };
    },

    exportCsv(): Readable {
      return Readable.from(
        (async function* () {
          // The byte order mark tells Excel the file is UTF-8, so Zoë and Łukasz open intact.
          yield `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;
          for await (const e of allEntries()) yield `${CSV_COLUMNS.map((k) => csvCell(e[k as keyof PublicEntry])).join(',')}\r\n`;
        })(),
      );
    },

    exportJson(): Readable {
      return Readable.from(
        (async function* () {
          let first = true;
          yield '[';
          for await (const e of allEntries()) {
            yield `${first ? '' : ','}\n${JSON.stringify(e)}`;
            first = false;
          }
          yield '\n]\n';
        })(),
      );
    },
  };
}

export type RegisterService = ReturnType<typeof createRegisterService>;
