import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, sql, type Database, type DatabaseTarget } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { systemContext } from '../../src/lib/context.ts';
import { hashPassword } from '../../src/lib/passwords.ts';
import { createAuthService } from '../../src/modules/auth/auth-service.ts';
import { createSeedService } from './seed/seed-service.ts';

export const BENCH_PASSWORD = 'bench password, never a real one';
export const REGISTRAR_EMAIL = 'registrar@bench.example';

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const withDatabaseName = (serverUrl: string, name: string) => {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

export interface PostgresBenchDatabase {
  name: string;
  url: string;
  /** A copy made with CREATE DATABASE ... TEMPLATE (nobody may be connected to this one meanwhile). */
  clone(): Promise<PostgresBenchDatabase>;
  drop(): Promise<void>;
}

/** A database of its own on the server BENCH_DATABASE_URL names, dropped at the end. */
export async function createPostgresDatabase(serverUrl: string, template?: string): Promise<PostgresBenchDatabase> {
  const name = `reg_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin(serverUrl, (c) =>
    // FILE_COPY copies the files rather than WAL-logging every page: seconds, not minutes, at 100,000 entries.
    c.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY` : `CREATE DATABASE ${name}`),
  );
  return {
    name,
    url: withDatabaseName(serverUrl, name),
    clone: () => createPostgresDatabase(serverUrl, name),
    drop: () => admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

export async function openMigrated(target: DatabaseTarget): Promise<Database> {
  const database = await openDatabase(target);
  await migrateDatabase(database);
  return database;
}

/** Seeds the first `count` fake mediators (adding to what an earlier call seeded). */
export async function seed(database: Database, count: number): Promise<void> {
  await createSeedService({ db: database.db, clock: systemClock }).seedMediators(systemContext(), count);
}

/** The signed-in mediators' records, for the bare write baseline (which writes as them without signing in). */
export interface BenchMediator {
  mediatorId: string;
  userId: string;
}

/** A registrar, and `n` seeded accredited mediators given a known password, for the signed-in benchmarks. */
export async function prepareAccounts(database: Database, n: number): Promise<{ mediatorEmails: string[]; mediators: BenchMediator[] }> {
  const auth = createAuthService({ db: database.db, clock: systemClock, signAccessToken: () => '', accessTokenTtlSeconds: 0, refreshTokenTtlDays: 0 });
  await auth.createStaffAccount(systemContext(), { email: REGISTRAR_EMAIL, password: BENCH_PASSWORD, role: 'registrar', body: null, fullName: 'Bench Registrar' });
  const hash = await hashPassword(BENCH_PASSWORD);
  const result = (await database.db.execute(sql`
    UPDATE users SET password_hash = ${hash}
     WHERE id IN (SELECT user_id FROM mediators WHERE status = 'accredited' ORDER BY membership_number LIMIT ${n})
    RETURNING email, id AS "userId", (SELECT id FROM mediators WHERE user_id = users.id) AS "mediatorId"`)) as unknown as { rows: (BenchMediator & { email: string })[] };
  return { mediatorEmails: result.rows.map((r) => r.email), mediators: result.rows.map(({ mediatorId, userId }) => ({ mediatorId, userId })) };
}

export async function signIn(baseUrl: string, email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: BENCH_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${email} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** Every statement sent through node-postgres in this process while `fn` runs, in order. */
export async function recordStatements<T>(fn: () => Promise<T>): Promise<{ statements: Statement[]; value: T }> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const statements: Statement[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args as [string | { text: string; values?: unknown[] }, unknown];
    // pg takes (text, values) or (config) or, as drizzle calls it, (config, values).
    const values = Array.isArray(second) ? second : typeof first === 'string' ? [] : (first.values ?? []);
    statements.push({ text: typeof first === 'string' ? first : first.text, values });
    return original.apply(this, args);
  };
  try {
    return { statements, value: await fn() };
  } finally {
    proto.query = original;
  }
}
