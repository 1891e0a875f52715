import { Readable } from 'node:stream';
import { z } from 'zod';
import { notFound } from '../../errors.ts';
import { explainStatus } from '../../domain/public-status.ts';
import { ENTRY_STATUSES } from '../../domain/vocabulary.ts';
import { londonDate } from '../../lib/clock.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { PublicEntryKeys, type PublicEntrySchema, type RegisterSearchQuery, type SearchMatch } from '../../../schemas/register.ts';
import type { ModuleDeps } from '../module.ts';
import { findAccreditedEntry, publicHistory, registerHead, searchEntries, type PublicEntryRow, type SearchQuery, type SearchTotal } from './register-repository.ts';

const EXPORT_BATCH = 1000;

export type PublicEntry = z.infer<typeof PublicEntrySchema>;

/**
 * A row of ENTRY_COLUMNS as the public reads it: its status explained, only the allow-listed keys
 * (the route's response schema enforces the same list again).
 */
export function toPublicEntry(row: PublicEntryRow): PublicEntry {
  const entry = { ...row, statusExplained: explainStatus(row.status, row.statusSince) };
  return Object.fromEntries(PublicEntryKeys.map((k) => [k, entry[k as keyof typeof entry]])) as PublicEntry;
}

/**
 * Where a search resumes after a row (see searchEntries): its group (0 or 1: local, then remote)
 * first, then its place in the group's order: name order, after the score (a similarity, or the
 * substring tier's) when there is a query.
 */
const GroupSchema = z.int().min(0).max(1);
const browseCursor = keysetCursor(z.tuple([GroupSchema, cursorKey.text, cursorKey.id]));
const searchCursor = keysetCursor(z.tuple([GroupSchema, z.number().nonnegative(), cursorKey.text, cursorKey.id]));
const browseKey = (row: PublicEntryRow): [number, string, string] => [row.group, row.sortName, row.id];

const CSV_COLUMNS = PublicEntryKeys;
const csvCell = (v: unknown) => {
  const s = Array.isArray(v) ? v.join(';') : v === null || v === undefined ? '' : String(v);
  // Quote everything that needs it; neutralise spreadsheet formulas (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The public register: search, one entry, its history, the open-data export. */
export function createRegisterService({ db, clock, config }: ModuleDeps) {
  /** The first London date of removal still in public view: REGISTER_REMOVED_VISIBLE_YEARS before today (see isGone). */
  function removedVisibleFrom(): string {
    const today = londonDate(clock());
    return `${String(Number(today.slice(0, 4)) - config.REGISTER_REMOVED_VISIBLE_YEARS).padStart(4, '0')}${today.slice(4)}`;
  }

  /** A search (`status` defaults to accredited alone, as the query schema does). */
  async function search(query: Omit<RegisterSearchQuery, 'status'> & { status?: SearchQuery['status'] }) {
    const after = query.q ? searchCursor.decode(query.cursor) : browseCursor.decode(query.cursor);
    let match: SearchMatch = 'exact';
    let total: SearchTotal | null = null;
    const criteria = { ...query, removedVisibleFrom: removedVisibleFrom() };
    const page = await keysetPage(
      query.limit,
      async (count) => {
        const found = await searchEntries(db, { ...criteria, limit: count }, after);
        ({ match, total } = found);
        return found.rows;
      },
      (last) => (query.q ? searchCursor.encode([last.group, Number(last.score), last.sortName, last.id]) : browseCursor.encode(browseKey(last))),
    );
    const counted = total as SearchTotal | null;
    return { items: page.items.map(toPublicEntry), nextCursor: page.nextCursor, match, total: counted?.count ?? null, totalIsAtLeast: counted?.atLeast ?? false };
  }

  /**
   * Every entry in public view (each status, a removed one within its years), labelled, in name
   * order, a batch at a time: memory stays flat however large the register. The same records the
   * change feed carries, so a mirror can apply the feed to it.
   */
  async function* allEntries(): AsyncGenerator<PublicEntry> {
    const inView = { status: ENTRY_STATUSES, removedVisibleFrom: removedVisibleFrom() };
    let after: unknown[] | null = null;
    do {
      const page = await keysetPage(EXPORT_BATCH, async (count) => (await searchEntries(db, { ...inView, limit: count }, after)).rows, browseKey);
      for (const row of page.items) yield toPublicEntry(row);
      after = page.nextCursor;
    } while (after);
  }

  return {
    search,

    async entry(id: string): Promise<PublicEntry> {
      const row = await findAccreditedEntry(db, id);
      if (!row) throw notFound('The register entry');
      return toPublicEntry(row);
    },

    /** Status and date only (reasons stay internal); 404 unless the entry is accredited now. */
    async history(id: string) {
      if (!(await findAccreditedEntry(db, id))) throw notFound('The register entry');
      return publicHistory(db, id);
    },

    /**
     * ETag and Last-Modified of the export: the position and time of the latest public change, the
     * change feed's head. Read before the export streams: a change committed meanwhile may be in
     * the export already, and the feed from this position repeats it, which a mirror applies harmlessly.
     */
    async version() {
      const { position, changedAt } = await registerHead(db);
      return { position, etag: `"${position}"`, lastModified: changedAt };
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
