import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { sql, type SQL } from 'drizzle-orm';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import * as schema from './schema.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { mendPoolTransactions } from './pool-transactions.ts';

export type Schema = typeof schema;
/** One type over both drivers: services never know which database they run on. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a query can run on: the database or an open transaction. */
export type Queryable = Db | Tx;

/** How long PostgreSQL work may take before it is given up; unset, the server's and driver's own (no limit). */
export interface PoolLimits {
  /** Longest one statement may run, waiting on locks included (`statement_timeout`; 0: no limit). */
  statementTimeoutMs: number;
  /** Longest a connection may sit idle inside an open transaction (`idle_in_transaction_session_timeout`). */
  idleInTransactionTimeoutMs: number;
  /** Longest a caller waits for a pooled connection, or for a new one to connect. */
  acquireTimeoutMs: number;
}

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolMax?: number; limits?: PoolLimits }
  /** `loadDataDir`: start from a dump (tests clone one migrated database instead of re-running initdb). */
  | { kind: 'pglite'; dataDir: string; loadDataDir?: Blob };

export interface Database {
  kind: 'postgres' | 'pglite';
  db: Db;
  /** Resolves when the database answers a trivial query; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** node-postgres pool, when on PostgreSQL (needed for session-level advisory locks). */
  pool?: pg.Pool;
  pglite?: PGlite;
}

/**
 * Dates come back as strings and int8/numeric as numbers, as PGlite's `parsers` below give them. Set on
 * the driver's global parsers (drizzle's per-query parsers fall back to those, not to a pool's), when a
 * pool opens rather than at import; setting them again changes nothing.
 */
function useRegisterTypeParsers() {
  pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    const { limits } = target;
    useRegisterTypeParsers();
    mendPoolTransactions();
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolMax ?? 10,
      application_name: 'send-mediator-register',
      // Sent at connection start-up, so every connection has them from its first statement.
      ...(limits && {
        connectionTimeoutMillis: limits.acquireTimeoutMs,
        statement_timeout: limits.statementTimeoutMs,
        idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
      }),
    });
    // A dead connection must never take the process down. pg-pool listens for errors on a client only
    // while it is idle (and then re-emits them here); a checked-out client (drizzle's transactions,
    // advisory-lock sessions) emits 'error' on itself when its backend dies, and an unhandled
    // 'error' event exits the process. The statement in flight, or the next one, fails with the cause
    // anyway (the request answers 503), and the pool discards the broken client on release: these
    // listeners only keep the events from being unhandled.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      kind: 'postgres',
      db,
      pool,
      async ping() {
        await pool.query('SELECT 1');
      },
      async close() {
        await pool.end();
      },
    };
  }

  const inMemory = target.dataDir === 'memory://';
  const release = inMemory ? () => {} : lockDataDir(target.dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(inMemory ? 'memory://' : target.dataDir, {
      extensions: { citext, pg_trgm, unaccent },
      ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
      parsers: { 1082: (v: string) => v, 20: (v: string) => Number(v), 1700: (v: string) => Number(v) },
    });
  } catch (err) {
    release();
    throw err;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  let closed = false;
  return {
    kind: 'pglite',
    db,
    pglite: client,
    async ping() {
      if (closed) throw new Error('database closed');
      await client.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/** Rows of a raw SQL query, the same on both drivers. */
export async function queryRows<T>(q: Queryable, query: SQL): Promise<T[]> {
  const result = (await q.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

export { sql };
