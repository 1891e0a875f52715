import { Readable } from 'node:stream';
import { z } from 'zod';
import { HttpProblem, notFound, problem } from '../../errors.ts';
import { explainStatus, isGone, removedVisibleFrom, statusOn, type HistoryEntry } from '../../domain/public-status.ts';
import { ENTRY_STATUSES, type Body } from '../../domain/vocabulary.ts';
import { londonDate } from '../../lib/clock.ts';
import { sharedRead } from '../../lib/shared-read.ts';
import { cursorKey, keysetCursor, keysetPage } from '../../lib/cursor.ts';
import { PublicEntryKeys, type PublicEntrySchema, type RegisterSearchPageSchema, type LookupRequest, type RegisterSearchQuery, type SearchMatch } from '../../../schemas/register.ts';
import type { ModuleDeps } from '../module.ts';
import { createRegisterCache, type RegisterVersion } from './register-cache.ts';
import { findEntries, findEntry, publicHistories, publicHistory, type EntryKey, registerHead, type PublicEntryRow } from './register-repository.ts';
import { countFiltered, searchEntries, type SearchQuery, type SearchTotal } from './register-search-repository.ts';

const EXPORT_BATCH = 1000;

/** An entry removed longer ago than the register shows removed entries: nothing more is said. */
const gone = () => new HttpProblem('gone', 'This register entry is no longer in public view.');

export type PublicEntry = z.infer<typeof PublicEntrySchema>;

/** A search as asked (`status` defaults to accredited alone), and its page as answered. */
type SearchRequest = Omit<RegisterSearchQuery, 'status'> & { status?: SearchQuery['status'] };
export type SearchPage = z.infer<typeof RegisterSearchPageSchema>;

/** More filter combinations than the register has regions, bodies and languages is a sign of something else. */
const MOST_TOTALS_KEPT = 1000;

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
  const today = () => londonDate(clock());
  /** The first London date of removal still in public view today (see isGone). */
  const visibleFrom = () => removedVisibleFrom(today(), config.REGISTER_REMOVED_VISIBLE_YEARS);

  /** The entry a key names: 404 if it was never on the register, 410 once removed past its years in view. */
  async function visibleEntry(key: EntryKey): Promise<PublicEntryRow> {
    const row = await findEntry(db, key);
    if (!row) throw notFound('The register entry');
    if (isGone(row, visibleFrom())) throw gone();
    return row;
  }

  /** `asOf` as given, or today; a date after today is a 400 naming it (in the query or the body). */
  function asOfDay(asOf: string | undefined, where: 'query' | 'body'): string {
    const now = today();
    if (asOf && asOf > now) throw problem('validation-failed', `asOf must be today (${now}) or earlier.`, [{ in: where, field: 'asOf', message: `must be today (${now}) or earlier` }]);
    return asOf ?? now;
  }

  // Searches at once share the read of the head (each sees one begun after it asked).
  const readHead = sharedRead(() => registerHead(db));
  const pages = createRegisterCache<SearchPage>({ maxSize: config.SEARCH_CACHE_MB * 2 ** 20, size: (page) => JSON.stringify(page).length });
  const filterTotals = createRegisterCache<SearchTotal>({ maxSize: config.SEARCH_CACHE_MB > 0 ? MOST_TOTALS_KEPT : 0, size: () => 1 });

  /**
   * A search (`status` defaults to accredited alone, as the query schema does). Its page is kept
   * until the register changes: the same few searches (a region, a common name) are most of what
   * people ask, and reading the head is one row where a search is a few statements.
   */
  async function search(query: SearchRequest): Promise<SearchPage> {
    const version = { position: (await readHead()).position, removedVisibleFrom: visibleFrom() };
    const key = JSON.stringify([query.q ?? null, query.status ?? null, query.region ?? null, query.body ?? null, query.language ?? null, query.limit, query.cursor ?? null]);
    return pages.get(version, key, () => searchAt(version, query));
  }

  async function searchAt(version: RegisterVersion, query: SearchRequest): Promise<SearchPage> {
    const after = query.q ? searchCursor.decode(query.cursor) : browseCursor.decode(query.cursor);
    let match: SearchMatch = 'exact';
    let total: SearchTotal | null = null;
    const criteria = { ...query, removedVisibleFrom: version.removedVisibleFrom };
    // Without `q`, the first page's count depends on the filters alone: kept for every page size and cursor.
    const filterTotal = (filtered: SearchQuery) =>
      filterTotals.get(version, JSON.stringify([filtered.status ?? null, filtered.region ?? null, filtered.body ?? null, filtered.language ?? null]), () => countFiltered(db, filtered));
    const page = await keysetPage(
      query.limit,
      async (count) => {
        const found = await searchEntries(db, { ...criteria, limit: count }, after, filterTotal);
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
    const inView = { status: ENTRY_STATUSES, removedVisibleFrom: visibleFrom() };
    let after: unknown[] | null = null;
    do {
      const page = await keysetPage(EXPORT_BATCH, async (count) => (await searchEntries(db, { ...inView, limit: count }, after)).rows, browseKey);
      for (const row of page.items) yield toPublicEntry(row);
      after = page.nextCursor;
    } while (after);
  }

  return {
    search,

    /** The kept search pages: hits, misses and bytes kept (the metrics). */
    searchCacheStats: () => pages.stats(),

    /** An entry ever on the register, labelled with its status (404 never on it, 410 gone). */
    async entry(id: string): Promise<PublicEntry> {
      return toPublicEntry(await visibleEntry({ id }));
    },

    /** The same, by body and membership number. */
    async entryByNumber(body: Body, membershipNumber: string): Promise<PublicEntry> {
      return toPublicEntry(await visibleEntry({ body, membershipNumber }));
    },

    /** Status and date only (reasons stay internal), of an entry in public view. */
    async history(id: string): Promise<HistoryEntry[]> {
      await visibleEntry({ id });
      return publicHistory(db, id);
    },

    /** The status in force at the end of `asOf` (today when not given), and the history entry that proves it. */
    async statusOnDate(id: string, asOf?: string) {
      const day = asOfDay(asOf, 'query');
      await visibleEntry({ id });
      return { id, asOf: day, ...statusOn(await publicHistory(db, id), day) };
    },

    /**
     * Many entries at once, one result per query in order: two statements for the whole batch (the
     * entries, then, with `asOf`, their histories). A gone entry is not found, as one never on it.
     */
    async lookup({ queries, asOf }: LookupRequest) {
      const day = asOf === undefined ? null : asOfDay(asOf, 'body');
      const from = visibleFrom();
      const found = await findEntries(db, queries);
      const visible = new Map([...found].filter(([, row]) => !isGone(row, from)));
      const histories = day ? await publicHistories(db, [...new Set([...visible.values()].map((r) => r.id))]) : null;
      return {
        results: queries.map((query, i) => {
          const row = visible.get(i);
          if (!row) return { query, found: false as const };
          const onDate = histories && day ? { statusOnDate: { id: row.id, asOf: day, ...statusOn(histories.get(row.id) ?? [], day) } } : {};
          return { query, found: true as const, entry: toPublicEntry(row), ...onDate };
        }),
      };
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

export type RegisterService = ReturnType<typeof createRegisterService>;
