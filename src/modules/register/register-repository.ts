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
 * Applied through the `%>` operator (search_text on the left, as the index expects) (pg_trgm.word_similarity_threshold), not a function call
 * compared with a number, so the trigram index serves it instead of a scan of every entry.
 */
const TYPO_THRESHOLD = 0.3;

/** The search as SQL, so the benchmark's bare baseline runs exactly the same statement. */
export function searchSql(query: Omit<RegisterSearchQuery, 'cursor'>, after: unknown[] | null): SQL {
  const filters: SQL[] = [sql`m.status = 'accredited'`];
  if (query.region) filters.push(sql`${query.region} = ANY (m.regions)`);
  if (query.body) filters.push(sql`m.body = ${query.body}`);
  if (query.language) {
    filters.push(sql`EXISTS (SELECT 1 FROM unnest(m.languages) l WHERE lower(l) = ${query.language} OR lower(l) LIKE ${`${escapeLike(query.language)}-%`})`);
  }
  if (!query.q) {
    if (after) filters.push(sql`(lower(m.full_name), m.id) > (${after[0]}, ${after[1]}::uuid)`);
    return sql`SELECT ${ENTRY_COLUMNS}, NULL::text AS score FROM mediators m
      WHERE ${sql.join(filters, sql` AND `)}
      ORDER BY lower(m.full_name), m.id LIMIT ${query.limit + 1}`;
  }
  // Relevance: a substring match outranks a near miss; within each, closer words rank higher.
  // A query of only punctuation normalises to '' and must match nothing, not everything.
  const contains = sql`(q.norm <> '' AND m.search_text LIKE '%' || q.norm || '%')`;
  const score = sql`round(((CASE WHEN ${contains} THEN 1 ELSE 0 END) + word_similarity(q.norm, m.search_text))::numeric, 6)`;
  const inner = sql`SELECT ${ENTRY_COLUMNS}, ${score} AS score
      FROM mediators m, (SELECT register_search_text(${query.q}, NULL) AS norm) q
      WHERE ${sql.join(filters, sql` AND `)}
        AND (${contains} OR m.search_text %> q.norm)`;
  const page = after
    ? sql`WHERE (r.score < ${after[0]}::numeric) OR (r.score = ${after[0]}::numeric AND (r."sortName", r.id) > (${after[1]}, ${after[2]}::uuid))`
    : sql``;
  return sql`SELECT * FROM (${inner}) r ${page} ORDER BY r.score DESC, r."sortName", r.id LIMIT ${query.limit + 1}`;
}

export async function searchEntries(q: Queryable, query: Omit<RegisterSearchQuery, 'cursor'>, after: unknown[] | null) {
  if (!query.q) return queryRows<PublicEntryRow>(q, searchSql(query, after));
  // The threshold is a setting; `true` scopes it to this transaction so pooled connections keep the default.
  return q.transaction(async (tx) => {
    await tx.execute(sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(TYPO_THRESHOLD)}, true)`);
    return queryRows<PublicEntryRow>(tx, searchSql(query, after));
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

/** Changes whenever anything the export shows could have changed; cheap (index-only aggregates). */
export async function registerVersion(q: Queryable): Promise<{ count: number; lastModified: Date }> {
  const [row] = await queryRows<{ count: number; last: Date | string | null }>(
    q,
    sql`SELECT (SELECT count(*)::int FROM mediators WHERE status = 'accredited') AS count,
               greatest((SELECT max(updated_at) FROM mediators), (SELECT max(status_changed_at) FROM mediators),
                        (SELECT max(assessed_at) FROM compliance_assessments)) AS last`,
  );
  return { count: row!.count, lastModified: row!.last ? new Date(row!.last) : new Date(0) };
}
