import type { Test } from 'tap';
import type pg from 'pg';

/**
 * Takes a lock in an open transaction on a connection of its own, so that a request needing it
 * provably stops on its own backend; `release()` (or the end of the test) rolls it back.
 */
export async function holdLock(t: Test, pool: pg.Pool, statement: string) {
  const client = await pool.connect();
  let held = true;
  const release = async () => {
    if (!held) return;
    held = false;
    await client.query('ROLLBACK');
    client.release();
  };
  t.teardown(release);
  await client.query('BEGIN');
  await client.query(statement);
  return { release };
}

/**
 * The backend of this database waiting on a lock while running a statement that mentions `table`.
 * Watched through the pool rather than the lock holder: inside its transaction pg_stat_activity
 * is a frozen snapshot.
 */
export async function waitingBackend(pool: pg.Pool, table: string): Promise<number> {
  for (let i = 0; i < 600; i++) {
    const { rows } = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%' || $1 || '%'`, [table]);
    if (rows[0]) return rows[0].pid;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no backend waited on a lock to use ${table}`);
}

/** Tables the backend has written to in its open transaction (it holds their row-exclusive locks). */
export async function tablesWritten(pool: pg.Pool, pid: number): Promise<string[]> {
  const { rows } = await pool.query<{ relname: string }>(
    `SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
      WHERE l.pid = $1 AND l.mode = 'RowExclusiveLock' AND l.granted AND c.relkind = 'r' ORDER BY 1`,
    [pid],
  );
  return rows.map((r) => r.relname);
}

export async function terminateBackend(pool: pg.Pool, pid: number) {
  const { rows } = await pool.query<{ done: boolean }>('SELECT pg_terminate_backend($1) AS done', [pid]);
  if (!rows[0]?.done) throw new Error(`backend ${pid} was not terminated`);
}
