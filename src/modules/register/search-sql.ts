import { sql, type SQL } from 'drizzle-orm';
import { ENTRY_COLUMNS, pastInNameOrder, statusFilter } from './register-repository.ts';
import type { SearchQuery } from './register-search-repository.ts';

/**
 * The building blocks of the public search's SQL: its filters, the groups a region lists in turn
 * (local, then remote), a branch per group resuming past a cursor, and the page's columns.
 */

export function filtersOf(query: SearchQuery): SQL[] {
  const filters: SQL[] = [statusFilter(query)];
  if (query.body) filters.push(sql`m.body = ${query.body}`);
  // Regions and languages are published only while accredited, so only then may a search by one find an entry.
  if (query.region || query.language) filters.push(sql`m.status = 'accredited'`);
  if (query.language) {
    // language_tags holds every prefix of every tag, so `en` finds en-GB (GIN indexed, migration 0020).
    filters.push(sql`m.language_tags @> ARRAY[${query.language}]::text[]`);
  }
  return filters;
}

/**
 * The groups a list is shown in, in turn. With a region: those who cover it (group 0), then those
 * who work remotely across England and not there (group 1, `national`: found under every region).
 */
export function groupsOf(region: string | undefined): SQL[] {
  if (!region) return [sql`TRUE`];
  const local = sql`${region} = ANY (m.regions)`;
  return region === 'national' ? [local] : [local, sql`'national' = ANY (m.regions) AND ${region} <> ALL (m.regions)`];
}

/** One group's part of a list: its conditions, and the key it resumes past (null: from its start). */
export interface Branch {
  group: number;
  where: SQL[];
  key: unknown[] | null;
}

/**
 * A branch per group from the cursor's on (`after` is [group, ...key]): the cursor's own group
 * resumes past its key, a later one starts from its beginning, an earlier one is done.
 */
export function branchesOf(query: SearchQuery, after: unknown[] | null): Branch[] {
  const filters = filtersOf(query);
  const from = after ? Number(after[0]) : 0;
  return groupsOf(query.region).flatMap((filter, group) => (group < from ? [] : [{ group, where: [...filters, filter], key: after && group === from ? after.slice(1) : null }]));
}

/** A branch's conditions in name order: past its key there. */
export const inNameOrder = ({ where, key }: Branch): SQL => sql.join(key ? [...where, pastInNameOrder(sql`m.sort_name`, sql`m.id`, key)] : where, sql` AND `);

/**
 * The first `limit` rows of the branches, group by group. Each branch is a query in its own order
 * (so each walks its index) and is read only for what the groups before it left: a region's page
 * full of local entries never reads the remote ones. The caller orders the result.
 */
export function groupByGroup<B extends Branch>(branches: B[], query: (b: B) => SQL, limit: number): SQL {
  const name = (i: number) => sql.identifier(`g${i}`);
  const ctes = branches.map((b, i) => {
    const taken = branches.slice(0, i).map((_, j) => sql` - (SELECT count(*) FROM ${name(j)})`);
    return sql`${name(i)} AS (${query(b)} LIMIT ${limit}${sql.join(taken)})`;
  });
  return sql`WITH ${sql.join(ctes, sql`, `)} ${sql.join(
    branches.map((_, i) => sql`SELECT * FROM ${name(i)}`),
    sql` UNION ALL `,
  )}`;
}

/**
 * The public columns of the rows `keys` selects ("group", id, score), in list order: worked out for
 * the page's rows alone, after the keys are found from indexes (a walk in name order reads the
 * covering name index only; the "CPD up to date" subquery runs per row shown, not per row passed).
 */
export const withColumns = (keys: SQL, extra = sql``): SQL =>
  sql`SELECT k."group", ${ENTRY_COLUMNS}, k.score${extra} FROM (${keys}) k JOIN mediators m ON m.id = k.id ORDER BY k."group", k.score DESC NULLS LAST, m.sort_name, m.id`;

/** Entries in name order, group by group: the browse list and the export. */
export function byNameSql(branches: Branch[], limit: number): SQL {
  return withColumns(groupByGroup(branches, (b) => sql`SELECT ${b.group}::int AS "group", m.id, NULL::numeric AS score FROM mediators m WHERE ${inNameOrder(b)} ORDER BY m.sort_name, m.id`, limit));
}
