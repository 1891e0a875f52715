import { ConfigError, type Config } from './config.ts';
import { openDatabase, type Database, type DatabaseTarget, type PoolLimits } from './db/client.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { migrateDatabase } from './db/migrate.ts';

export const poolLimits = (config: Config): PoolLimits => ({
  statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  idleInTransactionTimeoutMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  acquireTimeoutMs: config.DB_POOL_ACQUIRE_TIMEOUT_MS,
});

/** The database the settings name, with their pool size and limits. */
export function databaseTarget(config: Config): DatabaseTarget {
  return config.database.kind === 'postgres'
    ? { kind: 'postgres', url: config.database.url, poolMax: config.DB_POOL_MAX, limits: poolLimits(config) }
    : { kind: 'pglite', dataDir: config.database.dataDir };
}

/** The database the settings name, migrated: shared by the server and the CLI. */
export async function openMigratedDatabase(config: Config): Promise<Database> {
  const target = databaseTarget(config);
  // Migrations run on a connection without the statement limit: an instance starting beside another
  // waits on the migration lock for as long as the other's migrations take, and an index built over
  // a full register may take longer than any request should.
  const migrating = await openDatabase(target.kind === 'postgres' ? { ...target, poolMax: 1, limits: { ...poolLimits(config), statementTimeoutMs: 0 } } : target);
  try {
    await migrateDatabase(migrating);
  } catch (err) {
    await migrating.close();
    throw err;
  }
  if (migrating.kind === 'pglite') return migrating;
  await migrating.close();
  return openDatabase(target);
}

/** Start-up errors a person can act on: one line, no stack. */
export function describeStartupError(err: unknown): string {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) return err.message;
  const e = err as { message?: string; code?: string };
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
    return `Cannot reach the database at DATABASE_URL (${e.code ?? e.message}). Is PostgreSQL running and the URL right?`;
  }
  if (e.code === '3D000') return `The database named in DATABASE_URL does not exist: ${e.message}`;
  if (e.code === '28P01' || e.code === '28000') return `The database refused the credentials in DATABASE_URL: ${e.message}`;
  return `Start-up failed: ${e.message ?? String(err)}`;
}
