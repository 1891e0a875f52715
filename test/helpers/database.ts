import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrateDatabase, migrationsFolder } from '../../src/db/migrate.ts';
import { loadConfig } from '../../src/config.ts';
import { poolLimits } from '../../src/runtime.ts';

export type DbKind = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL names a server. */
export const dbKinds = (): DbKind[] => (process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']);

export interface TestDatabase {
  database: Database;
  /** A URL a child process can open (PostgreSQL only). */
  url?: string;
  drop(): Promise<void>;
}

function migrationsFingerprint(): string {
  const h = createHash('sha256');
  for (const f of readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    h.update(f).update(readFileSync(join(migrationsFolder, f)));
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * initdb in PGlite takes seconds; a migrated data directory is dumped once (per migration set)
 * to the temp folder and every test database starts from a copy of it.
 */
let template: Promise<Blob> | undefined;
function pgliteTemplate(): Promise<Blob> {
  return (template ??= (async () => {
    const file = join(tmpdir(), `send-register-pglite-${migrationsFingerprint()}.tar`);
    try {
      return new Blob([readFileSync(file)]);
    } catch {
      const db = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
      await migrateDatabase(db);
      const dump = await db.pglite!.dumpDataDir('none');
      await db.close();
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
      renameSync(tmp, file);
      return dump;
    }
  })());
}

/** A new, migrated, empty database of the given kind, dropped afterwards. */
export async function freshDatabase(kind: DbKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const database = await openDatabase({ kind: 'pglite', dataDir: 'memory://', loadDataDir: await pgliteTemplate() });
    await migrateDatabase(database);
    return { database, drop: () => database.close() };
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `reg_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // The limits a server gets by default, so tests meet the connections production has.
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 10, limits: poolLimits(loadConfig({})) });
  await migrateDatabase(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
