import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cliVerify } from '../../helpers/audit.ts';
import t, { type Test } from 'tap';
import { queryRows, sql, type Db, type Queryable } from '../../../src/db/client.ts';
import { auditLeaves, auditTreeNodes } from '../../../src/db/tables/audit.ts';
import { logKey } from '../../../src/lib/audit-signing-key.ts';
import { systemContext } from '../../../src/lib/context.ts';
import { generateKey, NoteError, openCheckpoint, signCheckpoint } from '../../../src/lib/transparency/signed-note.ts';
import { leafBytes } from '../../../src/modules/audit/audit-leaf.ts';
import { leavesFrom } from '../../../src/modules/audit/audit-repository.ts';
import { recordAudit } from '../../../src/modules/audit/audit-service.ts';
import { createLogService } from '../../../src/modules/audit/log-service.ts';
import { createSealer } from '../../../src/modules/audit/sealer.ts';
import { buildTestApp, eachDatabase, type TestApp } from '../../helpers/app.ts';

/*
 * A superuser can rewrite the stored log so that it is consistent with itself again: the events,
 * the leaves, the tree. What the database cannot forge is the signature on a checkpoint, so a
 * checkpoint kept outside it catches every rewrite of the leaves it covers.
 */

interface Outcome {
  exitCode: number;
  /** The LogProblem, `checkpoint_file` when the FILE itself is refused, null when all checks out. */
  problem: string | null;
  /** What the CLI printed (PostgreSQL) or the problem's detail (PGlite). */
  text: string;
}

/**
 * `audit-verify --checkpoint FILE` with `note` as FILE: the CLI as a child process on PostgreSQL; on
 * PGlite (one process per directory) the same steps in this process: open FILE with the log's key,
 * then verify with it as trusted.
 */
async function verifyAgainst(t: Test, ta: TestApp, note: string): Promise<Outcome> {
  if (ta.databaseUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'checkpoint-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'checkpoint-2026-12-02.txt');
    await writeFile(file, note);
    const cli = await cliVerify(ta.databaseUrl, ta.auditKey, '--checkpoint', file);
    const problem = cli.code === 0 ? null : cli.out.includes("is not a checkpoint signed by this log's key") ? 'checkpoint_file' : (/Audit log check failed \((\w+)\)/.exec(cli.out)?.[1] ?? cli.out);
    return { exitCode: cli.code, problem, text: cli.out };
  }
  let trusted: ReturnType<typeof openCheckpoint>;
  try {
    trusted = openCheckpoint(note, ta.auditKey.verifier, ta.auditKey.origin);
  } catch (err) {
    if (err instanceof NoteError) return { exitCode: 1, problem: 'checkpoint_file', text: err.message };
    throw err;
  }
  const result = await createLogService({ db: ta.database.db, key: ta.auditKey }).verify({ trusted: [trusted] });
  return { exitCode: result.valid ? 0 : 1, problem: result.firstProblem?.problem ?? null, text: result.firstProblem?.detail ?? '' };
}

/** Role changes in one transaction each, with a free-text reason (a personal value kept beside the leaf). */
async function workload(db: Db, tag: string, n: number) {
  for (let i = 0; i < n; i++) {
    await db.transaction((tx) =>
      recordAudit(tx, systemContext(`tamper-${tag}-${i}`), {
        action: 'user.role_changed',
        entityType: 'user',
        entityId: `${tag}-${i}`,
        before: { role: 'mediator' },
        after: { role: 'assessor', reason: `promoted (${tag} ${i})` },
      }),
    );
  }
}

const checkpointNote = async (ta: TestApp) => {
  const res = await ta.request({ method: 'GET', url: '/v1/transparency/checkpoint' });
  if (res.statusCode !== 200) throw new Error(`checkpoint: ${res.statusCode} ${res.body}`);
  return res.body;
};

const checkpointSizes = async (db: Queryable) => (await queryRows<{ size: number }>(db, sql`SELECT tree_size::int AS size FROM audit_checkpoints ORDER BY tree_size`)).map((r) => r.size);

const leafSeqs = async (db: Queryable) => (await queryRows<{ seq: number }>(db, sql`SELECT seq::int AS seq FROM audit_leaves ORDER BY leaf_index`)).map((r) => r.seq);

/**
 * Sizes the tests build: A events then a checkpoint (3), B events then the checkpoint kept outside
 * (7), C events then the newest checkpoint (12). Rewrites touch leaves of B: covered by the kept
 * checkpoint, not by the first one.
 */
const [A, B, C] = [3, 4, 5];
const KEPT = A + B;
const TARGET = A + 2;

/**
 * Waits until the sealer can take every event written. It takes only events of transactions older
 * than the snapshot's xmin, which is cluster-wide: on a shared PostgreSQL server a long transaction
 * in another database holds it back.
 */
async function untilSealable(ta: TestApp) {
  const waiting = sql`SELECT count(*)::int AS n FROM audit_events WHERE xid >= (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint`;
  while ((await queryRows<{ n: number }>(ta.database.db, waiting))[0]!.n > 0) await sleep(100);
}

/** Seals every event written and signs a checkpoint of them all. */
async function sealAll(ta: TestApp) {
  await untilSealable(ta);
  const total = (await queryRows<{ n: number }>(ta.database.db, sql`SELECT count(*)::int AS n FROM audit_events`))[0]!.n;
  const result = await ta.seal();
  if (result.signed !== total) throw new Error(`expected a checkpoint of ${total} leaves, got ${JSON.stringify(result)}`);
}

/** A fresh log of three sealed parts; returns the checkpoint of the second, kept "outside". */
async function threeCheckpoints(ta: TestApp): Promise<string> {
  const db = ta.database.db;
  await workload(db, 'a', A);
  await sealAll(ta);
  await workload(db, 'b', B);
  await sealAll(ta);
  const kept = await checkpointNote(ta);
  await workload(db, 'c', C);
  await sealAll(ta);
  return kept;
}

// --- a superuser's rewrite, with the hashes computed here from the RFC 9162 definitions ---

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** In one transaction with triggers (append-only) and foreign keys off, as the superuser can. */
const asSuperuser = (db: Db, fn: (tx: Queryable) => Promise<void>) =>
  db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL session_replication_role = replica`);
    await fn(tx);
  });

/**
 * Makes leaf i event seqs[i] and rebuilds every perfect subtree from the events as they now are:
 * level 0 holds SHA-256(0x00 || event bytes), level l+1 SHA-256(0x01 || left || right).
 */
async function rebuildTree(tx: Queryable, seqs: readonly number[]) {
  await tx.execute(sql`DELETE FROM audit_leaves`);
  await tx.execute(sql`DELETE FROM audit_tree_nodes`);
  await tx.insert(auditLeaves).values(seqs.map((seq, leafIndex) => ({ leafIndex, seq })));
  let level = (await leavesFrom(tx, 0, seqs.length)).map((e) => sha256(Buffer.from([0]), leafBytes(e)));
  const nodes: { level: number; index: number; hash: string }[] = [];
  for (let l = 0; level.length > 0; l++) {
    nodes.push(...level.map((h, index) => ({ level: l, index, hash: h.toString('hex') })));
    level = Array.from({ length: Math.floor(level.length / 2) }, (_, i) => sha256(Buffer.from([1]), level[2 * i]!, level[2 * i + 1]!));
  }
  await tx.insert(auditTreeNodes).values(nodes);
}

/** Removes events (with their kept personal values) outright. */
async function deleteEvents(tx: Queryable, seqs: readonly number[]) {
  await tx.execute(sql`DELETE FROM audit_personal_values WHERE seq = ANY(${sql.param(seqs)}::bigint[])`);
  await tx.execute(sql`DELETE FROM audit_events WHERE seq = ANY(${sql.param(seqs)}::bigint[])`);
}

/** Every checkpoint that covers leaf `leaf` goes: none is left that the rewrite would contradict. */
const deleteCheckpointsCovering = (tx: Queryable, leaf: number) => tx.execute(sql`DELETE FROM audit_checkpoints WHERE tree_size > ${leaf}`);

/** Edits the event at `leaf` (assessor → registrar) and rehashes the tree over it. */
async function carefulEdit(db: Db, leaf: number, { deleteCheckpoints }: { deleteCheckpoints: boolean }) {
  await asSuperuser(db, async (tx) => {
    const seqs = await leafSeqs(tx);
    await tx.execute(sql`UPDATE audit_events SET after = jsonb_set(after, '{role}', '"registrar"') WHERE seq = ${seqs[leaf]}`);
    await rebuildTree(tx, seqs);
    if (deleteCheckpoints) await deleteCheckpointsCovering(tx, leaf);
  });
}

const assertGap = async (t: Test, ta: TestApp) => {
  const alone = await createLogService({ db: ta.database.db, key: ta.auditKey }).verify();
  t.match(alone, { valid: true, firstProblem: null }, 'the stored log alone checks out: the rewrite is consistent with itself');
  t.same(await checkpointSizes(ta.database.db), [A], 'only the checkpoint from before the rewritten leaves is left');
};

await eachDatabase(t, async (t, kind) => {
  await t.test('an edited event, rehashed, with the checkpoints over it deleted', async (t) => {
    const ta = await buildTestApp(t, kind);
    const kept = await threeCheckpoints(ta);
    await carefulEdit(ta.database.db, TARGET, { deleteCheckpoints: true });
    await assertGap(t, ta);
    const outcome = await verifyAgainst(t, ta, kept);
    t.match(outcome, { exitCode: 1, problem: 'checkpoint_mismatch' });
    t.match(outcome.text, `does not match the given checkpoint of size ${KEPT}`);
  });

  await t.test('a middle event deleted, the leaves after it renumbered and the tree rebuilt', async (t) => {
    const ta = await buildTestApp(t, kind);
    const kept = await threeCheckpoints(ta);
    await asSuperuser(ta.database.db, async (tx) => {
      const seqs = await leafSeqs(tx);
      await deleteEvents(tx, [seqs[TARGET]!]);
      await rebuildTree(
        tx,
        seqs.filter((_, i) => i !== TARGET),
      );
      await deleteCheckpointsCovering(tx, TARGET);
    });
    t.same(
      await leafSeqs(ta.database.db),
      (await queryRows<{ seq: number }>(ta.database.db, sql`SELECT seq::int AS seq FROM audit_events ORDER BY seq`)).map((r) => r.seq),
      'no gap left in the leaves',
    );
    await assertGap(t, ta);
    t.match(await verifyAgainst(t, ta, kept), { exitCode: 1, problem: 'checkpoint_mismatch' });
  });

  await t.test('the newest events cut off below the kept checkpoint', async (t) => {
    const ta = await buildTestApp(t, kind);
    const kept = await threeCheckpoints(ta);
    await asSuperuser(ta.database.db, async (tx) => {
      const seqs = await leafSeqs(tx);
      await deleteEvents(tx, seqs.slice(TARGET));
      await rebuildTree(tx, seqs.slice(0, TARGET));
      await deleteCheckpointsCovering(tx, TARGET);
    });
    await assertGap(t, ta);
    const outcome = await verifyAgainst(t, ta, kept);
    t.match(outcome, { exitCode: 1, problem: 'log_truncated' });
    t.match(outcome.text, `The log has ${TARGET} leaves, fewer than the given checkpoint of size ${KEPT}`);
  });

  await t.test('a log left alone extends the kept checkpoint', async (t) => {
    const ta = await buildTestApp(t, kind);
    const kept = await threeCheckpoints(ta);
    t.match(kept, new RegExp(`^${ta.auditKey.origin}\n${KEPT}\n`));
    const outcome = await verifyAgainst(t, ta, kept);
    t.match(outcome, { exitCode: 0, problem: null });
    if (ta.databaseUrl) {
      t.match(outcome.text, `Audit log intact: ${A + B + C} leaves recomputed.`);
      t.match(outcome.text, /It extends the checkpoint in \S+checkpoint-2026-12-02\.txt \(tree size 7\)\./);
    }
  });

  await t.test('a checkpoint FILE signed by another key, or edited by one byte, is refused', async (t) => {
    const ta = await buildTestApp(t, kind);
    const kept = await threeCheckpoints(ta);
    const other = logKey(generateKey(ta.auditKey.origin).signerKey);
    const forged = signCheckpoint(openCheckpoint(kept, ta.auditKey.verifier), other.origin, other.signer.privateKey);
    const foreign = await verifyAgainst(t, ta, forged);
    t.match(foreign, { exitCode: 1, problem: 'checkpoint_file' });
    t.match(foreign.text, 'note is not signed by the trusted key');

    // One byte of the root hash line: the signature no longer covers the text.
    const lines = kept.split('\n');
    lines[2] = (lines[2]!.startsWith('A') ? 'B' : 'A') + lines[2]!.slice(1);
    const edited = await verifyAgainst(t, ta, lines.join('\n'));
    t.match(edited, { exitCode: 1, problem: 'checkpoint_file' });
    t.match(edited.text, `invalid signature by ${ta.auditKey.origin}`);
    if (ta.databaseUrl) t.match(edited.text, `is not a checkpoint signed by this log's key (${ta.auditKey.verifierKey})`);
  });

  await t.test('the sealer refuses to sign over a rewrite of what the newest stored checkpoint covers', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    await threeCheckpoints(ta);
    await carefulEdit(db, TARGET, { deleteCheckpoints: false });
    await workload(db, 'd', 1);
    await untilSealable(ta);
    t.match(await ta.seal(), { sealer: true, sealed: 1, signed: null }, 'sealed, not signed');
    t.same(await checkpointSizes(db), [A, KEPT, A + B + C], 'no new checkpoint');
    const why = `the log of ${A + B + C + 1} leaves does not extend the stored checkpoint of size ${A + B + C}`;
    t.equal(ta.app.auditSealer.status().refused, why);

    const ready = await ta.request({ method: 'GET', url: '/ready' });
    t.equal(ready.statusCode, 200, 'still ready: the register keeps working');
    t.match(ready.json().auditLog, { treeSize: A + B + C + 1, checkpointSize: A + B + C, refused: why });
    const metrics = await ta.request({ method: 'GET', url: '/metrics' });
    t.match(metrics.body, /^send_register_audit_checkpoint_refused 1$/m);
  });

  await t.test('a sealer remembers the checkpoint it signed when the checkpoint table is cut back', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    const kept = await threeCheckpoints(ta);
    await carefulEdit(db, TARGET, { deleteCheckpoints: true });
    await workload(db, 'd', 1);
    await untilSealable(ta);
    t.match(await ta.seal(), { sealer: true, sealed: 1, signed: null });
    t.same(await checkpointSizes(db), [A], 'no new checkpoint');
    t.equal(ta.app.auditSealer.status().refused, `the log of ${A + B + C + 1} leaves does not extend the checkpoint of size ${A + B + C} this instance signed`);

    // A restarted instance remembers nothing: only a checkpoint kept outside still tells.
    const fresh = await ta.sibling();
    t.match(await fresh.auditSealer.seal({ checkpoint: 'now' }), { signed: A + B + C + 1 }, 'a fresh instance signs the rewritten log');
    t.match(await verifyAgainst(t, ta, kept), { exitCode: 1, problem: 'checkpoint_mismatch' });
  });

  await t.test('a new signing key (a new origin) takes over the log the old key signed', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    const kept = await threeCheckpoints(ta);
    const rotated = logKey(generateKey(`${ta.auditKey.origin}-2027`).signerKey);
    await workload(db, 'd', 1);
    await untilSealable(ta);
    const errors: string[] = [];
    const sealer = createSealer({ db, key: rotated, onError: (err) => errors.push(String(err)) });
    t.match(await sealer.seal({ checkpoint: 'now' }), { sealed: 1, signed: A + B + C + 1 });
    t.same(errors, []);
    const log = createLogService({ db, key: rotated });
    t.match(await log.verify(), { valid: true, checkpoint: new RegExp(`^${rotated.origin}\n${A + B + C + 1}\n`) });
    t.match(await log.verify({ trusted: [openCheckpoint(kept, ta.auditKey.verifier)] }), { valid: true }, "a checkpoint kept from the old key, opened with the old key's verifier, is extended");
  });

  await t.test('a new signing key still refuses a rewrite of what the old key signed', async (t) => {
    const ta = await buildTestApp(t, kind);
    const db = ta.database.db;
    await threeCheckpoints(ta);
    await carefulEdit(db, TARGET, { deleteCheckpoints: false });
    const rotated = logKey(generateKey(`${ta.auditKey.origin}-2027`).signerKey);
    await workload(db, 'd', 1);
    await untilSealable(ta);
    const errors: string[] = [];
    const sealer = createSealer({ db, key: rotated, onError: (err) => errors.push(String(err)) });
    t.match(await sealer.seal({ checkpoint: 'now' }), { sealed: 1, signed: null });
    t.equal(sealer.status().refused, `the log of ${A + B + C + 1} leaves does not extend the stored checkpoint of size ${A + B + C}`);
    t.match(await createLogService({ db, key: rotated }).verify(), { valid: false, firstProblem: { problem: 'checkpoint_mismatch' } });
  });
});
