import { sql } from 'drizzle-orm';
import { queryRows, type Db } from './client.ts';

/**
 * Vacuums and analyzes the whole database when it is embedded (PGlite), and answers whether it did.
 * PGlite is one standalone backend: no autovacuum worker ever runs there, so without this the dead
 * rows of every update (a rate-limit counter per request) would never be reclaimed, index-only scans
 * would read the table (the visibility map is never set), and in the end the transaction counter
 * would wrap and stop every write. A PostgreSQL server has its own autovacuum: left to it.
 */
export async function vacuumIfEmbedded(db: Db): Promise<boolean> {
  const [own] = await queryRows<{ embedded: boolean }>(db, sql`SELECT backend_type = 'standalone backend' AS embedded FROM pg_stat_activity WHERE pid = pg_backend_pid()`);
  if (!own?.embedded) return false;
  // A table at a time, the system catalogs too (the oldest transaction id left counts them all): requests
  // waiting on PGlite's one connection go between two tables rather than after the whole database.
  const tables = await queryRows<{ schema: string; name: string }>(
    db,
    sql`SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't' ORDER BY c.oid`,
  );
  for (const { schema, name } of tables) await db.execute(sql`VACUUM (ANALYZE) ${sql.identifier(schema)}.${sql.identifier(name)}`);
  return true;
}
