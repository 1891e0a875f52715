import { sql, type SQL } from 'drizzle-orm';

/**
 * Set-based writes: a batch of rows travels as one JSON parameter, so a statement has a handful
 * of bind parameters however many rows it carries (a multi-row VALUES list was both slower and
 * capped at 65,535 parameters).
 */
export const BATCH = 5000;

export function chunks<T>(rows: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * `json_to_recordset($rows) AS alias(columns)`: the rows as a table to SELECT from. `jsonb` where a
 * statement already used it (its plans were measured that way).
 */
export const recordset = (rows: readonly object[], alias: string, columns: SQL, as: 'json' | 'jsonb' = 'json') =>
  as === 'json' ? sql`json_to_recordset(${JSON.stringify(rows)}::json) AS ${sql.raw(alias)}(${columns})` : sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS ${sql.raw(alias)}(${columns})`;
