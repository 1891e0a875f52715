import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/client.ts';
import type { EntryStatus } from '../../domain/vocabulary.ts';
import { escapeLike } from '../../lib/like.ts';
import type { RegisterSearchQuery, SearchMatch } from '../../../schemas/register.ts';
import { allowedEdits, distanceLevels, lengthRanges, levelScore, nearWords, type NearWords } from './near-words.ts';
import { isAccreditedOnly, type PublicEntryRow } from './register-repository.ts';
import { branchesOf, byNameSql, filtersOf, groupByGroup, groupsOf, inNameOrder, withColumns, type Branch } from './search-sql.ts';

/**
 * The public search's SQL: filters, the groups a region lists in turn, substring matches in name
 * order, near misses by word, and the bounded count. The entry's columns come from ENTRY_COLUMNS.
 */

/** Substring matches rank above every near miss (whose word similarity is at most 1). */
const SUBSTRING_SCORE = 2;

/**
 * A search as the repository runs it: the statuses listed (the query's default, accredited, when
 * not given), and the first London date of removal still in public view (see isGone).
 */
export type SearchQuery = Omit<RegisterSearchQuery, 'cursor' | 'status'> & { status?: readonly EntryStatus[]; removedVisibleFrom: string };

/** Near misses are looked for for at most this many words of a query (each adds levels to the list). */
const MOST_QUERY_WORDS = 4;

const textArray = (words: readonly string[]) => sql`${sql.param([...words])}::text[]`;

/**
 * What near misses of `norm` are: for each of its words, the register's words within its allowed
 * edits (near-words.ts), read from register_name_words (a few thousand words, not every entry), and
 * from those the conditions on an entry's words (`search_words`, GIN indexed): holding a near word of
 * every query word, and being at a given total distance. Null when nothing can match.
 */
async function nearMissConditions(q: Queryable, norm: string): Promise<{ holds: SQL; levels: Array<{ distance: number; where: SQL }> } | null> {
  // Words of one or two letters (initials, stray letters: "J Smiht", "<b>walkr</b>") may not be mistyped, so they are left out.
  const queryWords = [...new Set(norm.split(' '))].filter((w) => allowedEdits(w) > 0);
  if (queryWords.length === 0 || queryWords.length > MOST_QUERY_WORDS) return null;
  const lengths = lengthRanges(queryWords).map(([from, to]) => sql`length(word) BETWEEN ${from} AND ${to}`);
  // A word two writers added at once is there twice (see register_add_words): the Set keeps one, cheaper than DISTINCT.
  const words = await queryRows<{ word: string }>(q, sql`SELECT word FROM register_name_words WHERE ${sql.join(lengths, sql` OR `)}`);
  const near = nearWords(queryWords, [...new Set(words.map((w) => w.word))]);
  if (!near) return null;
  const holdsOne = (byDistance: NearWords) => sql`m.search_words && ${textArray(byDistance.flat())}`;
  const holds = sql.join(near.map(holdsOne), sql` AND `);
  // One query word: a level is its words at that distance and none closer, in terms of the index.
  if (near.length === 1) {
    const [byDistance] = near as [NearWords];
    return {
      holds,
      levels: distanceLevels(near).map((distance) => ({
        distance,
        where: sql.join(
          [sql`m.search_words && ${textArray(byDistance[distance]!)}`, ...byDistance.slice(0, distance).flatMap((ws) => (ws.length ? [sql`NOT (m.search_words && ${textArray(ws)})`] : []))],
          sql` AND `,
        ),
      })),
    };
  }
  // Several: the sum of each query word's closest distance.
  const closest = near.map(
    (byDistance) =>
      sql`CASE ${sql.join(
        byDistance.flatMap((ws, d) => (ws.length ? [sql`WHEN m.search_words && ${textArray(ws)} THEN ${d}::int`] : [])),
        sql` `,
      )} END`,
  );
  const total = sql.join(closest, sql` + `);
  return { holds, levels: distanceLevels(near).map((distance) => ({ distance, where: sql`${holds} AND (${total}) = ${distance}::int` })) };
}

/**
 * Near misses, closest first (level by level: the total edits from the query), in name order within
 * a level, group by group. Keys are [score, sortName, id], the score the level's (levelScore).
 */
function nearMissSql(branches: Branch[], levels: Array<{ distance: number; where: SQL }>, limit: number): SQL {
  const byLevel: Array<Branch & { score: number }> = branches.flatMap(({ group, where, key }) =>
    levels.flatMap(({ distance, where: atLevel }) => {
      const score = levelScore(distance);
      // The cursor's level resumes past its name; closer levels are done, further ones start afresh.
      if (key && score > Number(key[0])) return [];
      return [{ group, where: [...where, atLevel], key: key && score === Number(key[0]) ? key.slice(1) : null, score }];
    }),
  );
  if (byLevel.length === 0) return sql`SELECT NULL LIMIT 0`;
  return withColumns(
    groupByGroup(byLevel, (b) => sql`SELECT ${b.group}::int AS "group", m.id, ${b.score}::numeric AS score FROM mediators m WHERE ${inNameOrder(b)} ORDER BY m.sort_name, m.id`, limit),
  );
}

/** How many entries, in name order, a substring search reads before it asks the trigram index instead. */
const NAME_WALK = 500;
/** At most this many entries hold the query's words (register_name_words): the query is rare, and not walked for. */
const RARE_AT_MOST = 1000;

/**
 * The query as the search text is normalised, and at most how many entries can contain it: for the
 * query word the fewest hold, the entries holding a word that contains it (each of the query's words
 * is inside some word of a match), from the word table. Zero: nothing can match as typed.
 * `vacuumed`: the last vacuum found (nearly) every page of mediators all-visible, so a walk of the
 * covering name index reads no table page; before it (a new database, a bulk import not yet
 * vacuumed) the same walk fetches a table row per index entry.
 */
interface Normalised {
  norm: string;
  holding: number;
  vacuumed: boolean;
}

const normalise = async (q: Queryable, text: string): Promise<Normalised> => {
  const [row] = await queryRows<Normalised>(
    q,
    sql`SELECT n.norm, coalesce((SELECT min((SELECT coalesce(sum(w.entries), 0) FROM register_name_words w WHERE strpos(w.word, x.part) > 0))
                                   FROM unnest(string_to_array(n.norm, ' ')) x(part)), 0)::int AS holding,
               (SELECT c.relpages > 0 AND c.relallvisible >= 0.9 * c.relpages FROM pg_class c WHERE c.oid = 'mediators'::regclass) AS vacuumed
          FROM (SELECT register_search_text(${text}, NULL) AS norm) n`,
  );
  return row!;
};

/**
 * Entries containing `norm`, in name order, group by group. A common word is fastest found by
 * walking the name index until a page is full; a rare one through the trigram index and a sort (a
 * walk would read nearly every entry). PostgreSQL's guess between the two goes wrong when the
 * matches cluster late in the alphabet (Zoë), so: walk the first NAME_WALK entries, and only if
 * they hold less than a page, use the trigram index. Both give exactly the first matches in order.
 * On a first page (`counting`) the rare word's matches, read once, give the page and their count.
 */
async function substringMatches(
  q: Queryable,
  query: SearchQuery,
  branches: Branch[],
  { norm, holding, vacuumed }: Normalised,
  want: number,
  counting: boolean,
): Promise<{ rows: PublicEntryRow[]; total: SearchTotal | null }> {
  const contains = sql`search_text LIKE ${`%${escapeLike(norm)}%`}`;
  // A word the register's words say is rare goes straight to the trigram index: a walk would not fill a page.
  if (holding > RARE_AT_MOST) {
    // The walk reads the covering name index alone; the page's columns are worked out for its hits.
    const walk = groupByGroup(branches, (b) => sql`SELECT ${b.group}::int AS "group", m.id, m.sort_name, m.search_text FROM mediators m WHERE ${inNameOrder(b)} ORDER BY m.sort_name, m.id`, NAME_WALK);
    const walked = await queryRows<PublicEntryRow>(
      q,
      withColumns(sql`SELECT w."group", w.id, ${SUBSTRING_SCORE}::numeric AS score FROM (${walk}) w WHERE w.${contains} ORDER BY w."group", w.sort_name, w.id LIMIT ${want}`),
    );
    if (walked.length >= want) return { rows: walked, total: counting ? await countUpTo(q, query, sql`m.${contains}`, { walkNames: vacuumed }) : null };
  }
  if (counting) {
    const groups = groupsOf(query.region);
    const groupOf = sql`CASE ${sql.join(
      groups.map((g, i) => sql`WHEN ${g} THEN ${i}::int`),
      sql` `,
    )} END`;
    const where = [...filtersOf(query), sql`(${sql.join(groups, sql` OR `)})`, sql`m.${contains}`];
    const rows = await queryRows<PublicEntryRow & { total: number }>(
      q,
      sql`WITH hits AS MATERIALIZED (SELECT ${groupOf} AS "group", m.id, m.sort_name FROM mediators m WHERE ${sql.join(where, sql` AND `)})
          ${withColumns(sql`SELECT h."group", h.id, ${SUBSTRING_SCORE}::numeric AS score, (SELECT count(*) FROM hits)::int AS total FROM hits h ORDER BY h."group", h.sort_name, h.id LIMIT ${want}`, sql`, k.total`)}`,
    );
    return { rows, total: capped(rows[0]?.total ?? 0) };
  }
  // `|| ''` keeps the planner off the name index: this query is for the rare word.
  const rare = groupByGroup(
    branches,
    (b) => sql`SELECT ${b.group}::int AS "group", m.id, ${SUBSTRING_SCORE}::numeric AS score FROM mediators m WHERE ${inNameOrder(b)} AND m.${contains} ORDER BY m.sort_name || '', m.id`,
    want,
  );
  return { rows: await queryRows<PublicEntryRow>(q, withColumns(rare)), total: null };
}

/** A search's count of results: exact up to TOTAL_CAP, else TOTAL_CAP and `atLeast`. */
export interface SearchTotal {
  count: number;
  atLeast: boolean;
}
const TOTAL_CAP = 1000;
const capped = (n: number): SearchTotal => ({ count: Math.min(n, TOTAL_CAP), atLeast: n > TOTAL_CAP });

/**
 * How many entries the query's filters and `matching` select, in every group: the rows counted
 * stop at one past TOTAL_CAP, so a count costs at most that many rows however large the register.
 * `walkNames`, for a condition many entries meet (a common word) once the table is vacuumed: of
 * accredited entries alone, counted along the covering name index, whose rows hold every column a
 * condition reads; a third of the sequential scan PostgreSQL would choose (0.8 ms for 2.2 at
 * 100,000). Unvacuumed, the walk costs four times the scan (40 ms for 9.6).
 */
async function countUpTo(q: Queryable, query: SearchQuery, matching: SQL | null, { walkNames = false } = {}): Promise<SearchTotal> {
  const inAGroup = sql.join(groupsOf(query.region), sql` OR `);
  const where = [...filtersOf(query), sql`(${inAGroup})`, ...(matching ? [matching] : [])];
  // Other statuses' name index covers no column: walking it would fetch every row it passes.
  const order = walkNames && isAccreditedOnly(query) ? sql` ORDER BY m.sort_name, m.id` : sql``;
  const [row] = await queryRows<{ n: number }>(q, sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM mediators m WHERE ${sql.join(where, sql` AND `)}${order} LIMIT ${TOTAL_CAP + 1}) c`);
  return capped(Number(row!.n));
}

/** How many entries the filters of a search without `q` select (see countUpTo). */
export const countFiltered = (q: Queryable, query: SearchQuery): Promise<SearchTotal> => countUpTo(q, query, null);

/** A page of a search: its rows, how they match `q`, and the count of all its results (first page only, else null). */
export interface SearchResult {
  rows: PublicEntryRow[];
  match: SearchMatch;
  total: SearchTotal | null;
}

/**
 * The public search. Without `q`: name order. With `q`: the entries containing it (normalised as
 * the search text is), in name order; only when there are none, the near misses, closest first
 * (`match: 'similar'`, on every page of them). With a region, every tier lists the entries covering
 * it before those who work remotely across England. The near-miss query compares the query with
 * every candidate's words, the costliest work a search does, so it runs only when it is the answer.
 * `after` is the last row's [group, sortName, id] without `q`, [group, score, sortName, id] with it.
 * At most `query.limit` rows (a page asks for one more than it shows: see keysetPage). The first
 * page (no `after`) also counts the results of its tier, beside the page's own query; without
 * `q`, through `filterTotal` (the service keeps those counts until the register changes).
 */
export async function searchEntries(
  q: Queryable,
  query: SearchQuery,
  after: unknown[] | null,
  filterTotal: (query: SearchQuery) => Promise<SearchTotal> = (query) => countFiltered(q, query),
): Promise<SearchResult> {
  const branches = branchesOf(query, after);
  const want = query.limit;
  const none: SearchTotal = { count: 0, atLeast: false };
  // A cursor past the last group (a link whose region was edited away) has nothing left to show.
  if (branches.length === 0) return { rows: [], match: 'exact', total: null };
  if (!query.q) {
    const [rows, total] = await Promise.all([queryRows<PublicEntryRow>(q, byNameSql(branches, want)), after ? null : filterTotal(query)]);
    return { rows, match: 'exact', total };
  }
  // Plain statements, no transaction, for the common case: each round trip to the database counts.
  const normalised = await normalise(q, query.q);
  const { norm } = normalised;
  // A query of only punctuation normalises to '' and must match nothing, not everything.
  if (norm === '') return { rows: [], match: 'exact', total: after ? null : none };
  const inSubstringTier = !after || Number(after[1]) >= SUBSTRING_SCORE;
  // When no entry holds a word containing one of the query's words, nothing contains it ("jonh"): on to near misses.
  if (inSubstringTier && (normalised.holding > 0 || after)) {
    // The substring tier's score is the same on every row: its keys in name order are the rest.
    const { rows, total } = await substringMatches(
      q,
      query,
      branches.map((b) => ({ ...b, key: b.key ? b.key.slice(1) : null })),
      normalised,
      want,
      !after,
    );
    // Near misses are the fallback for a search that matches nothing as typed ("jonh").
    if (rows.length > 0 || after) return { rows, match: 'exact', total };
  }
  const near = await nearMissConditions(q, norm);
  if (!near) return { rows: [], match: after ? 'similar' : 'exact', total: after ? null : none };
  // The first page's count runs beside the page (one round trip, not two); a page that is not full holds every result.
  const [rows, counted] = await Promise.all([queryRows<PublicEntryRow>(q, nearMissSql(branches, near.levels, want)), after ? null : countUpTo(q, query, near.holds)]);
  const total = counted && rows.length < want ? capped(rows.length) : counted;
  return { rows, match: rows.length > 0 || after ? 'similar' : 'exact', total };
}
