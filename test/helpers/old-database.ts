import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, sql, type Database } from '../../src/db/client.ts';
import { migrateDatabase, migrationsFolder } from '../../src/db/migrate.ts';
import { freshDatabase } from './database.ts';

/** The migrations folder as it stood before `tag`: a database that ran the old code. */
function migrationsBefore(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'register-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
  journal.entries = journal.entries.slice(
    0,
    journal.entries.findIndex((e) => e.tag === tag),
  );
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/** A database migrated up to (not including) `tag`, as the code before that migration left it. */
export async function databaseBefore(kind: 'pglite' | 'postgres', tag: string): Promise<{ database: Database; drop(): Promise<void> }> {
  const folder = migrationsBefore(tag);
  if (kind === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    await migrateDatabase(database, folder);
    rmSync(folder, { recursive: true, force: true });
    return { database, drop: () => database.close() };
  }
  // freshDatabase migrates fully; PostgreSQL gets its own empty database migrated the old way instead.
  const fresh = await freshDatabase('postgres');
  await fresh.database.db.execute(sql`DROP SCHEMA public CASCADE; DROP SCHEMA drizzle CASCADE; CREATE SCHEMA public`);
  await migrateDatabase(fresh.database, folder);
  rmSync(folder, { recursive: true, force: true });
  return fresh;
}
