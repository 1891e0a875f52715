import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type pg from 'pg';
import t, { type Test } from 'tap';
import { LOCK_KEYS } from '../../../src/db/advisory-locks.ts';
import { openDatabase, queryRows, sql, type Database, type Db } from '../../../src/db/client.ts';
import type { LogKey } from '../../../src/lib/audit-signing-key.ts';
import { systemContext } from '../../../src/lib/context.ts';
import { verifyConsistency } from '../../../src/lib/transparency/merkle-hash.ts';
import { consistencyProof } from '../../../src/lib/transparency/merkle.ts';
import { openCheckpoint } from '../../../src/lib/transparency/signed-note.ts';
import { recordAudit, recordAuditEvents } from '../../../src/modules/audit/audit-service.ts';
import { createLogService } from '../../../src/modules/audit/log-service.ts';
import { createSealer, type Sealer } from '../../../src/modules/audit/sealer.ts';
import { AUDIT_SIGNING_KEY, buildTestApp, eachDatabase, type TestApp } from '../../helpers/app.ts';

const ctx = systemContext('sealer-test');

/** Polls `check` until it answers something other than undefined or false; fails after `ms`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** One committed transaction recording an event per entity id. */
const write = (db: Db, ...entityIds: string[]) => db.transaction((tx) => recordAudit(tx, ctx, ...entityIds.map((entityId) => ({ action: 'test.write', entityType: 'sealer-test', entityId }))));

/** `n` events in one transaction and one call. */
const backlog = (db: Db, prefix: string, n: number) =>
  db.transaction((tx) =>
    recordAuditEvents(
      tx,
      ctx,
      Array.from({ length: n }, (_, i) => ({ action: 'test.backlog', entityType: 'sealer-test', entityId: `${prefix}-${i}` })),
    ),
  );

async function leafOf(db: Db, entityId: string): Promise<number | null> {
  const [row] = await queryRows<{ leaf: number | null }>(db, sql`SELECT l.leaf_index AS leaf FROM audit_events e LEFT JOIN audit_leaves l USING (seq) WHERE e.entity_id = ${entityId}`);
  if (!row) throw new Error(`no event for ${entityId}`);
  return row.leaf;
}

/** Row counts of everything the sealer writes, and of the events. */
async function logShape(db: Db) {
  const [row] = await queryRows<{ events: number; leaves: number; maxLeaf: number; seqs: number; nodes: number; checkpoints: number }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM audit_events) AS events, (SELECT count(*)::int FROM audit_leaves) AS leaves,
               (SELECT coalesce(max(leaf_index), -1)::int FROM audit_leaves) AS "maxLeaf", (SELECT count(DISTINCT seq)::int FROM audit_leaves) AS seqs,
               (SELECT count(*)::int FROM audit_tree_nodes) AS nodes, (SELECT count(*)::int FROM audit_checkpoints) AS checkpoints`,
  );
  return row!;
}

/**
 * Seals until no committed event is left. More than one pass may be needed: a pass takes at most
 * `maxPerTransaction` events, and on PostgreSQL a transaction open anywhere on the server (xids are
 * server-wide, and other tests share it) holds back the events committed after it began.
 */
const sealAll = (sealer: Sealer) =>
  eventually('every committed event is sealed', async () => {
    await sealer.seal({ checkpoint: 'now' });
    return (await sealer.refreshStatus()).unsealedEvents === 0;
  });

/** Leaves 0..n-1 over the n events, each event once, and the recomputed tree matches the stored one and the latest checkpoint. */
async function checkLog(t: Test, db: Db, key: LogKey) {
  const shape = await logShape(db);
  t.same(
    { leaves: shape.leaves, maxLeaf: shape.maxLeaf, seqs: shape.seqs },
    { leaves: shape.events, maxLeaf: shape.events - 1, seqs: shape.events },
    `leaves 0..${shape.events - 1}, every event once`,
  );
  t.match(await createLogService({ db, key }).verify(), { valid: true, checked: shape.events, unsealedEvents: 0, firstProblem: null }, 'the log verifies');
}

/** Every stored checkpoint is signed by the log's key, and every one is consistent with every earlier one (call after checkLog). */
async function checkCheckpoints(t: Test, db: Db, key: LogKey) {
  const notes = await queryRows<{ note: string }>(db, sql`SELECT note FROM audit_checkpoints ORDER BY tree_size`);
  // openCheckpoint throws on a signature by any other key.
  const checkpoints = notes.map(({ note }) => openCheckpoint(note, key.verifier, key.origin)).filter((c) => c.size > 0);
  // Proofs from the stored nodes (which checkLog verified), all read at once: there may be hundreds of checkpoints.
  const nodes = new Map((await queryRows<{ id: string; hash: string }>(db, sql`SELECT level || ':' || index AS id, hash FROM audit_tree_nodes`)).map((n) => [n.id, Buffer.from(n.hash, 'hex')]));
  const hashAt = (level: number, index: number) => nodes.get(`${level}:${index}`);
  const inconsistent: string[] = [];
  for (const [j, newer] of checkpoints.entries()) {
    for (const older of checkpoints.slice(0, j)) {
      if (!verifyConsistency(older.size, newer.size, older.rootHash, newer.rootHash, consistencyProof(older.size, newer.size, hashAt))) inconsistent.push(`${older.size} → ${newer.size}`);
    }
  }
  t.ok(checkpoints.length > 0, `${checkpoints.length} checkpoints, each signed by the log's key`);
  t.same(inconsistent, [], 'each checkpoint is consistent with every earlier one');
}

/** A second pool on the test's PostgreSQL database, as another process would have. */
async function pool(t: Test, ta: TestApp, poolMax = 10): Promise<Database> {
  const database = await openDatabase({ kind: 'postgres', url: ta.databaseUrl!, poolMax });
  t.teardown(() => database.close());
  return database;
}

/** Locks the checkpoint table until `release()`: every sealing pass reads it before it can commit, so a pass that reaches it waits there. */
async function lockCheckpoints(database: Database) {
  const client: pg.PoolClient = await database.pool!.connect();
  await client.query('BEGIN');
  // Held idle for as long as the pass under test takes: the pool's idle-in-transaction limit must not end it first.
  await client.query('SET LOCAL idle_in_transaction_session_timeout = 0');
  await client.query('LOCK TABLE audit_checkpoints IN ACCESS EXCLUSIVE MODE');
  let held = true;
  return {
    async release() {
      if (!held) return;
      held = false;
      await client.query('ROLLBACK');
      client.release();
    },
  };
}

// The sealer's try-lock as pg_locks shows a bigint advisory key: high half in classid, low half in objid.
const sealerLockHeld = sql`l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = ${LOCK_KEYS.auditSealer}
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

/** The backend holding the sealer lock, when it has appended leaves in its (uncommitted) transaction. */
async function sealerWithLeavesWritten(db: Db): Promise<number | undefined> {
  const [row] = await queryRows<{ pid: number }>(
    db,
    sql`SELECT l.pid FROM pg_locks l JOIN pg_locks w ON w.pid = l.pid AND w.relation = 'audit_leaves'::regclass AND w.mode = 'RowExclusiveLock' WHERE ${sealerLockHeld}`,
  );
  return row?.pid;
}

/** The backend holding the sealer lock while it waits for a table lock. */
async function sealerWaiting(db: Db): Promise<number | undefined> {
  const rows = await queryRows<{ pid: number }>(db, sql`SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid AND a.wait_event_type = 'Lock' WHERE ${sealerLockHeld}`);
  return rows[0]?.pid;
}

const terminate = (db: Db, pid: number) => db.execute(sql`SELECT pg_terminate_backend(${pid})`);

await eachDatabase(t, async (t, kind) => {
  await t.test("a rolled-back transaction's events never reach the log", async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    await write(db, 'kept-1');
    const cause = new Error('the change failed after its audit event was written');
    await t.rejects(
      db.transaction(async (tx) => {
        await recordAudit(tx, ctx, { action: 'test.write', entityType: 'sealer-test', entityId: 'rolled-back' });
        throw cause;
      }),
      cause,
    );
    await write(db, 'kept-2');
    await sealAll(ta.app.auditSealer);
    t.same(await queryRows(db, sql`SELECT seq FROM audit_events WHERE entity_id = 'rolled-back'`), []);
    t.equal((await leafOf(db, 'kept-2'))! - (await leafOf(db, 'kept-1'))!, 1, 'no leaf between the two committed events');
    await checkLog(t, db, ta.auditKey);
  });

  await t.test('a checkpoint of the empty log does not stop later ones', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    t.match(await ta.app.auditSealer.seal(), { sealer: true, sealed: 0, signed: 0 }, 'a first pass with nothing written signs the empty tree');
    await write(db, 'first');
    await sealAll(ta.app.auditSealer);
    t.equal(ta.app.auditSealer.status().refused, null, 'no rewrite found');
    t.equal((await ta.app.auditSealer.refreshStatus()).checkpointSize, 1, 'the next checkpoint is signed');
    await checkLog(t, db, ta.auditKey);
  });

  await t.test('writers and two instances sealing at once: every event once, in transaction order, every checkpoint consistent', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    const sibling = await ta.sibling();
    const writerDbs = kind === 'postgres' ? [db, (await pool(t, ta)).db] : [db];
    const WRITERS = 10;
    const TRANSACTIONS = 50;
    let writing = true;
    const results: { sealer: boolean }[] = [];
    const sealing = (async () => {
      while (writing) results.push(...(await Promise.all([ta.app.auditSealer.seal({ checkpoint: 'now' }), sibling.auditSealer.seal({ checkpoint: 'now' })])));
    })();
    try {
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          // One to three events a transaction; a writer's transactions one after another.
          for (let k = 0; k < TRANSACTIONS; k++) await write(writerDbs[w % writerDbs.length]!, ...Array.from({ length: 1 + ((w + k) % 3) }, (_, e) => `w${w}-t${k}-e${e}`));
        }),
      );
    } finally {
      writing = false;
      await sealing;
    }
    t.comment(`${results.length} seal calls, ${results.filter((r) => !r.sealer).length} found the other instance sealing`);
    await sealAll(ta.app.auditSealer);
    await checkLog(t, db, ta.auditKey);

    // Events of one transaction are adjacent leaves in the order written; a writer's later
    // transaction (begun after the earlier one committed) comes after it.
    const order = await queryRows<{ id: string }>(db, sql`SELECT e.entity_id AS id FROM audit_leaves l JOIN audit_events e USING (seq) WHERE e.action = 'test.write' ORDER BY l.leaf_index`);
    t.equal(
      order.length,
      Array.from({ length: WRITERS * TRANSACTIONS }, (_, i) => 1 + ((Math.floor(i / TRANSACTIONS) + (i % TRANSACTIONS)) % 3)).reduce((a, b) => a + b),
    );
    const problems: string[] = [];
    const lastOfWriter = new Map<number, [number, number]>();
    order.forEach(({ id }, i) => {
      const [w, k, e] = id
        .match(/^w(\d+)-t(\d+)-e(\d+)$/)!
        .slice(1)
        .map(Number) as [number, number, number];
      const [lastK, lastE] = lastOfWriter.get(w) ?? [-1, -1];
      const follows = e === 0 ? k === lastK + 1 && (k === 0 || lastE === (w + lastK) % 3) : k === lastK && e === lastE + 1 && order[i - 1]!.id === `w${w}-t${k}-e${e - 1}`;
      if (!follows) problems.push(`leaf ${i}: ${id}`);
      lastOfWriter.set(w, [k, e]);
    });
    t.same(problems, [], 'commit order kept');
    await checkCheckpoints(t, db, ta.auditKey);
  });

  await t.test('the loop goes on sealing after a database error, and reports it', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    const errors: { err: unknown; message: string }[] = [];
    // Small passes: a full one seals again at once.
    const sealer = createSealer({ db, key: ta.auditKey, batchSize: 7, maxPerTransaction: 20, onError: (err, message) => errors.push({ err, message }) });
    await db.execute(sql.raw(`CREATE FUNCTION sealer_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'sealer test: no space left'; END $$`));
    await db.execute(sql.raw('CREATE TRIGGER sealer_test_fail BEFORE INSERT ON audit_leaves FOR EACH ROW EXECUTE FUNCTION sealer_test_fail()'));
    await write(db, ...Array.from({ length: 50 }, (_, i) => `first-${i}`));
    sealer.start(50);
    t.teardown(() => sealer.stop());
    await eventually('a failed pass is reported', async () => errors.length > 0);
    t.match(errors[0], { message: 'audit log: sealing failed', err: { cause: { message: 'sealer test: no space left' } } });
    await db.execute(sql.raw('DROP TRIGGER sealer_test_fail ON audit_leaves'));
    await eventually('the loop seals once the database takes leaves again', async () => (await logShape(db)).leaves === 50);

    if (kind === 'postgres') {
      // Its connection ends in the middle of a pass (held there by a table lock).
      const lock = await lockCheckpoints(ta.database);
      const reported = errors.length;
      try {
        await terminate(db, await eventually('a pass waits on the lock', () => sealerWaiting(db)));
        // Found among those reported since: a status read waiting on the same lock may time out and be reported too.
        const killed = await eventually('the failed pass is reported', async () =>
          errors.slice(reported).find((e) => /terminat/i.test(String((e.err as { cause?: { message?: string } }).cause?.message))),
        );
        t.match(killed, { message: 'audit log: sealing failed' });
      } finally {
        await lock.release();
      }
      await write(db, 'after-kill-mid-pass');
      await eventually('the loop seals on a new connection', async () => (await leafOf(db, 'after-kill-mid-pass')) !== null);
    }
    await sealer.stop();
    await checkLog(t, db, ta.auditKey);
  });

  if (kind !== 'postgres') return;

  await t.test("commit order: an event is not sealed ahead of an earlier transaction's still in flight", async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    const other = await pool(t, ta);
    const aWritten = deferred();
    const aMayCommit = deferred();
    const a = other.db.transaction(async (tx) => {
      await recordAudit(tx, ctx, { action: 'test.write', entityType: 'sealer-test', entityId: 'A' });
      aWritten.resolve();
      await aMayCommit.promise;
    });
    try {
      await aWritten.promise;
      await write(other.db, 'B');
      t.match(await ta.app.auditSealer.seal({ checkpoint: 'now' }), { sealer: true });
      t.equal(await leafOf(db, 'B'), null, 'B (committed) waits for A (begun earlier, open)');
      const status = await ta.app.auditSealer.refreshStatus();
      t.equal(status.unsealedEvents, 1, 'B is counted as unsealed');
      t.ok(status.sealingLagSeconds > 0, 'and the sealing lag shows it');
    } finally {
      aMayCommit.resolve();
      await a;
    }
    await sealAll(ta.app.auditSealer);
    const leafA = await leafOf(db, 'A');
    t.equal(await leafOf(db, 'B'), leafA! + 1, 'A, then B');
    await checkLog(t, db, ta.auditKey);
  });

  await t.test('two instances running their loops: one seals at a time, one key signs', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    const sibling = await ta.sibling();
    const other = await pool(t, ta);
    for (const app of [ta.app, sibling]) {
      app.auditSealer.start(50);
      t.teardown(() => app.auditSealer.stop());
    }
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => (w % 2 ? other.db : db).transaction((tx) => recordAudit(tx, ctx, { action: 'test.write', entityType: 'sealer-test', entityId: `w${w}` }))),
    );

    // Hold a pass in the middle (both loops read the checkpoint table every pass).
    const lock = await lockCheckpoints(other);
    try {
      await write(db, ...Array.from({ length: 20 }, (_, i) => `held-${i}`));
      await eventually('a loop holds the sealer lock, waiting', () => sealerWaiting(db));
      const holders = await queryRows(db, sql`SELECT l.pid FROM pg_locks l WHERE ${sealerLockHeld}`);
      t.equal(holders.length, 1, 'one backend holds the sealer lock');
      t.match(await ta.app.auditSealer.seal(), { sealer: false, sealed: 0, signed: null }, 'this instance does not seal meanwhile');
      t.match(await sibling.auditSealer.seal(), { sealer: false, sealed: 0, signed: null }, 'nor the other');
    } finally {
      await lock.release();
    }
    await eventually('the loops seal everything', async () => {
      const shape = await logShape(db);
      return shape.leaves === shape.events;
    });
    await Promise.all([ta.app.auditSealer.stop(), sibling.auditSealer.stop()]);
    await ta.seal();
    await checkLog(t, db, ta.auditKey);
    await checkCheckpoints(t, db, ta.auditKey);
  });

  await t.test('a sealer whose connection dies mid-pass stores nothing of it; the next pass seals everything', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    const own = await pool(t, ta, 2);
    const sealer = createSealer({ db: own.db, key: ta.auditKey, batchSize: 100, onError: () => {} });
    await write(db, 'first-1', 'first-2', 'first-3');
    await sealAll(sealer);
    await backlog(db, 'big', 20_000);
    const before = await logShape(db);

    // While the checkpoint table is locked the pass cannot commit: the termination lands before its commit, whatever the timing.
    const lock = await lockCheckpoints(ta.database);
    let outcome: Promise<unknown>;
    try {
      const pass = sealer.seal({ checkpoint: 'now' });
      outcome = pass.then(
        () => 'it succeeded',
        (err: Error) => err,
      );
      await terminate(db, await eventually('the sealer has appended leaves', () => sealerWithLeavesWritten(db)));
      t.type(await outcome, Error, 'the pass fails');
    } finally {
      await lock.release();
    }
    t.same(await logShape(db), before, 'no leaf, node or checkpoint of it stored');
    await sealAll(sealer);
    t.equal((await logShape(db)).leaves, before.events);
    await checkLog(t, db, ta.auditKey);
    await checkCheckpoints(t, db, ta.auditKey);
  });

  await t.test('a sealing process killed mid-pass: nothing of it stored, the log completes and verifies', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    await write(db, 'first-1', 'first-2', 'first-3');
    await sealAll(ta.app.auditSealer);
    await backlog(db, 'big', 20_000);
    const before = await logShape(db);

    const lock = await lockCheckpoints(ta.database);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/sealer-child.ts'], {
        env: { ...process.env, DATABASE_URL: ta.databaseUrl, AUDIT_SIGNING_KEY },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = once(child, 'exit');
      const pid = await eventually('the child has appended leaves', async () => {
        if (child.exitCode !== null) throw new Error(`the sealing process exited early (${child.exitCode})`);
        return sealerWithLeavesWritten(db);
      });
      child.kill('SIGKILL');
      t.same(await exited, [null, 'SIGKILL']);
      await lock.release();
      // The server ends the orphaned backend (rolling its transaction back) once it finds the client gone.
      await eventually('the killed process has no backend left', async () => (await queryRows(db, sql`SELECT 1 FROM pg_stat_activity WHERE pid = ${pid}`)).length === 0);
    } finally {
      await lock.release();
    }
    t.same(await logShape(db), before, 'no leaf, node or checkpoint of it stored');
    await sealAll(ta.app.auditSealer);
    await checkLog(t, db, ta.auditKey);
    await checkCheckpoints(t, db, ta.auditKey);
  });
});
