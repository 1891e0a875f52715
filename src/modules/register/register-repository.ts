import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../../db/client.ts';
import type { RegisterSearchQuery } from '../../../schemas/register.ts';
import { escapeLike } from '../../lib/like.ts';

/** A public entry as read from the database, before the allow-list schema is applied. */
export interface PublicEntryRow {
  id: string;
  fullName: string;
  body: 'com' | 'cmc';
  membershipNumber: string | null;
  route: 'standards_2024' | 'grandfathered_2018' | null;
  firstAccreditedOn: string | null;
  regions: string[];
  languages: string[];
  organisation: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  website: string | null;
  cpdUpToDateFor: string | null;
  sortName: string;
  score: string | null;
}

// Contact details leave only where opted in; the latest compliant period gives "CPD up to date for".
const ENTRY_COLUMNS = sql`
  m.id, m.full_name AS "fullName", m.body, m.membership_number AS "membershipNumber", m.route,
  m.first_accredited_on AS "firstAccreditedOn", m.regions, m.languages, m.organisation,
  CASE WHEN m.show_email THEN m.contact_email END AS "contactEmail",
  CASE WHEN m.show_phone THEN m.contact_phone END AS "contactPhone",
  CASE WHEN m.show_website THEN m.website END AS "website",
  (SELECT to_char(max(a.period_end) - interval '1 year', 'YYYY') || '/' || to_char(max(a.period_end), 'YY')
     FROM compliance_assessments a WHERE a.mediator_id = m.id AND a.outcome = 'compliant') AS "cpdUpToDateFor",
  lower(m.full_name) AS "sortName"`;

/**
 * Typo tolerance: a word of the entry at least this similar (pg_trgm word_similarity) matches.
 * Applied through the `%>` operator with the threshold set for the transaction, so the trigram
 * index serves it instead of a function call compared with a number on every row.
 */
const TYPO_THRESHOLD = 0.3;
/** Substring matches rank above every near miss (whose word similarity is at most 1). */
const SUBSTRING_SCORE = 2;

type SearchQuery = Omit<RegisterSearchQuery, 'cursor'>;

function filtersOf(query: SearchQuery): SQL[] {
  const filters: SQL[] = [sql`m.status = 'accredited'`];
  if (query.region) filters.push(sql`${query.region} = ANY (m.regions)`);
  if (query.body) filters.push(sql`m.body = ${query.body}`);
  if (query.language) {
    filters.push(sql`EXISTS (SELECT 1 FROM unnest(m.languages) l WHERE lower(l) = ${query.language} OR lower(l) LIKE ${`${escapeLike(query.language)}-%`})`);
  }
  return filters;
}

/** The filters, and past `after` ([sortName, id]) in name order when paging. */
const afterInNameOrder = (filters: SQL[], after: unknown[] | null): SQL[] =>
  after ? [...filters, sql`(lower(m.full_name), m.id) > (${after[0]}, ${after[1]}::uuid)`] : filters;

/** Entries in name order: the browse list and the export. */
function byNameSql(filters: SQL[], after: unknown[] | null, limit: number): SQL {
  const where = afterInNameOrder(filters, after);
  return sql`SELECT ${ENTRY_COLUMNS}, NULL::numeric AS score FROM mediators m
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY lower(m.full_name), m.id LIMIT ${limit}`;
}

/** Near misses that are not substring matches, closest first. */
function nearMissSql(filters: SQL[], norm: string, after: unknown[] | null, limit: number): SQL {
  const score = sql`round(word_similarity(${norm}, m.search_text)::numeric, 6)`;
  const page = after
    ? sql`WHERE (r.score < ${after[0]}::numeric) OR (r.score = ${after[0]}::numeric AND (r."sortName", r.id) > (${after[1]}, ${after[2]}::uuid))`
    : sql``;
  return sql`SELECT * FROM (
      SELECT ${ENTRY_COLUMNS}, ${score} AS score FROM mediators m
       WHERE ${sql.join(filters, sql` AND `)} AND m.search_text %> ${norm} AND m.search_text NOT LIKE ${`%${escapeLike(norm)}%`}) r
    ${page} ORDER BY r.score DESC, r."sortName", r.id LIMIT ${limit}`;
}

/** How many entries, in name order, a substring search reads before it asks the trigram index instead. */
const NAME_WALK = 500;

/**
 * Entries containing `norm`, in name order. A common word is fastest found by walking the name
 * index until a page is full; a rare one through the trigram index and a sort (a walk would read
 * nearly every entry). PostgreSQL's guess between the two goes wrong when the matches cluster late
 * in the alphabet (Zoë), so: walk the first NAME_WALK entries, and only if they hold less than a
 * page, use the trigram index. Both give exactly the first matches in name order.
 */
async function substringMatches(q: Queryable, filters: SQL[], norm: string, after: unknown[] | null, want: number): Promise<PublicEntryRow[]> {
  const contains = sql`search_text LIKE ${`%${escapeLike(norm)}%`}`;
  const where = afterInNameOrder(filters, after);
  // Only the sort key and the text are read for the walk; the page's columns for its hits alone.
  const walked = await queryRows<PublicEntryRow>(
    q,
    sql`WITH walk AS (SELECT m.id, m.search_text FROM mediators m WHERE ${sql.join(where, sql` AND `)} ORDER BY lower(m.full_name), m.id LIMIT ${NAME_WALK}),
             hits AS (SELECT id FROM walk WHERE ${contains} LIMIT ${want})
        SELECT ${ENTRY_COLUMNS}, ${SUBSTRING_SCORE}::numeric AS score FROM hits JOIN mediators m ON m.id = hits.id
         ORDER BY lower(m.full_name), m.id`,
  );
  if (walked.length >= want) return walked;
  // `|| ''` keeps the planner off the name index: this query is for the rare word.
  return queryRows<PublicEntryRow>(
    q,
    sql`SELECT ${ENTRY_COLUMNS}, ${SUBSTRING_SCORE}::numeric AS score FROM mediators m
         WHERE ${sql.join(where, sql` AND `)} AND m.${contains}
         ORDER BY lower(m.full_name) || '', m.id LIMIT ${want}`,
  );
}

/**
 * The public search. Without `q`: name order. With `q`: the entries containing it (normalised as
 * the search text is), in name order; only when there are none, the near misses, closest first.
 * The near-miss query compares the query with every candidate's words, the costliest work a search
 * does, so it runs only when it is the answer. `after` is the last row's [sortName, id] without
 * `q`, [score, sortName, id] with it.
 */
export async function searchEntries(q: Queryable, query: SearchQuery, after: unknown[] | null): Promise<PublicEntryRow[]> {
  const filters = filtersOf(query);
  const want = query.limit + 1;
  if (!query.q) return queryRows<PublicEntryRow>(q, byNameSql(filters, after, want));
  // Plain statements, no transaction, for the common case: each round trip to the database counts.
  const [{ norm }] = (await queryRows<{ norm: string }>(q, sql`SELECT register_search_text(${query.q}, NULL) AS norm`)) as [{ norm: string }];
  // A query of only punctuation normalises to '' and must match nothing, not everything.
  if (norm === '') return [];
  const inSubstringTier = !after || Number(after[0]) >= SUBSTRING_SCORE;
  if (inSubstringTier) {
    const rows = await substringMatches(q, filters, norm, after && after.slice(1), want);
    // Near misses are the fallback for a search that matches nothing as typed ("jonh").
    if (rows.length > 0 || after) return rows;
  }
  return q.transaction(async (tx) => {
    // The threshold is a setting; `true` scopes it to this transaction so pooled connections keep the default.
    await tx.execute(sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(TYPO_THRESHOLD)}, true)`);
    return queryRows<PublicEntryRow>(tx, nearMissSql(filters, norm, after, want));
  });
}

export async function findAccreditedEntry(q: Queryable, id: string): Promise<PublicEntryRow | undefined> {
  const [row] = await queryRows<PublicEntryRow>(q, sql`SELECT ${ENTRY_COLUMNS}, NULL::text AS score FROM mediators m WHERE m.id = ${id} AND m.status = 'accredited'`);
  return row;
}

export const publicHistory = (q: Queryable, id: string) =>
  queryRows<{ status: 'accredited' | 'suspended' | 'lapsed' | 'removed'; date: string }>(
    q,
    sql`SELECT h.to_status AS status, to_char(h.changed_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS date
        FROM status_history h WHERE h.mediator_id = ${id} ORDER BY h.changed_at, h.seq`,
  );

/**
 * The position of the latest public change (register_changes, kept by triggers in the database for
 * every writer) and when it committed: moves with every public-visible change and nothing else.
 */
export async function registerHead(q: Queryable): Promise<{ position: number; changedAt: Date }> {
  const [row] = await queryRows<{ position: number; changedAt: Date | string }>(q, sql`SELECT position, changed_at AS "changedAt" FROM register_head`);
  return { position: Number(row!.position), changedAt: new Date(row!.changedAt) };
}
