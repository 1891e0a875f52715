import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';

/** The database the settings name, migrated: shared by the server and the CLI. */
export async function openMigratedDatabase(config: Config): Promise<Database> {
  const database = await openDatabase(
    config.database.kind === 'postgres'
      ? { kind: 'postgres', url: config.database.url, poolMax: config.DB_POOL_MAX }
      : { kind: 'pglite', dataDir: config.database.dataDir },
  );
  try {
    await migrateDatabase(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** Start-up errors a person can act on: one line, no stack. */
export function describeStartupError(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string };
  if (e.name === 'ConfigError' || e.name === 'DataDirLockedError') return e.message ?? String(err);
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
    return `Cannot reach the database at DATABASE_URL (${e.code ?? e.message}). Is PostgreSQL running and the URL right?`;
  }
  if (e.code === '3D000') return `The database named in DATABASE_URL does not exist: ${e.message}`;
  if (e.code === '28P01' || e.code === '28000') return `The database refused the credentials in DATABASE_URL: ${e.message}`;
  return `Start-up failed: ${e.message ?? String(err)}`;
}
