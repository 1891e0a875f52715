import type { SQL } from 'drizzle-orm';
import type { Queryable } from './client.ts';

// Statement names by key: short (PostgreSQL truncates long names, which could make two collide) and
// never reused for another key. Only hot request paths use these, with a handful of keys each.
const names = new Map<string, string>();
const nameOf = (key: string): string => {
  let name = names.get(key);
  if (name === undefined) {
    name = `hot_${names.size + 1}`;
    names.set(key, name);
  }
  return name;
};

/**
 * Runs a query builder as a named prepared statement. PostgreSQL then plans it once per pooled
 * connection and reuses the plan (a generic one, when that costs no more than planning afresh):
 * planning was half the server's time on the log writes and the audit insert. For statements sent
 * on every request of a hot path: each distinct statement stays prepared on each connection it ran on.
 *
 * `key` must determine the statement's text (the table, and which columns a write sets): one name
 * must never be sent with two texts (PostgreSQL refuses the second). It is asked for, rather than
 * worked out from the text, because building a query twice cost more than the statement it named.
 * PGlite runs it as any other query.
 */
export function runPrepared<T>(key: string, query: { prepare(name: string): { execute(): Promise<T> } }): Promise<T> {
  return query.prepare(nameOf(key)).execute();
}

/** The same for raw SQL (`q.execute` otherwise), named after its text, on the database or in a transaction. */
export async function executePrepared(q: Queryable, statement: SQL): Promise<void> {
  // `execute` builds the statement without running it (that waits for the result to be awaited).
  const { sql: text, params } = q.execute(statement).getQuery();
  await q._.session.prepareQuery({ sql: text, params }, undefined, nameOf(text), false).execute();
}
