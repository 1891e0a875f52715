import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { Database } from './client.ts';
import { LOCK_KEYS } from './advisory-locks.ts';

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Applies pending migrations (from `folder`: tests replay history up to a point); several processes starting together take turns on an advisory lock. */
export async function migrateDatabase(database: Database, folder = migrationsFolder): Promise<void> {
  if (database.pglite) {
    // One process per PGlite directory (see data-dir-lock), so no lock is needed here.
    await migratePglite(drizzlePglite(database.pglite), { migrationsFolder: folder });
    return;
  }
  const client = await database.pool!.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEYS.migrations]);
    try {
      await migratePg(drizzlePg(client), { migrationsFolder: folder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEYS.migrations]);
    }
  } finally {
    client.release();
  }
}
