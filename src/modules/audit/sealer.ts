import type { Db, Queryable } from '../../db/client.ts';
import type { LogKey } from '../../lib/audit-signing-key.ts';
import { leafHash, verifyConsistency } from '../../lib/transparency/merkle-hash.ts';
import { appendLeaves, consistencyProof, consistencyProofNodes, rootHash, rootNodes, type NodeMap } from '../../lib/transparency/merkle.ts';
import { signCheckpoint } from '../../lib/transparency/signed-note.ts';
import { leafBytes } from './audit-leaf.ts';
import { openStoredCheckpoint } from './log-service.ts';
import { appendToTree, insertCheckpoint, latestCheckpoint, sealPosition, sealableEvents, loadTreeNodes, trySealerLock, unsealed, type StoredCheckpoint } from './audit-repository.ts';

/** How the log stands, as /ready and /metrics report it. */
export interface LogStatus {
  treeSize: number;
  checkpointSize: number | null;
  unsealedEvents: number;
  /** Age of the oldest event not sealed yet (0 when none). */
  sealingLagSeconds: number;
  /** Why this instance refused to sign a checkpoint (the stored log no longer extends one signed before), or null. */
  refused: string | null;
}

export interface SealResult {
  /** False when another instance holds the sealer lock (it seals; this one did nothing). */
  sealer: boolean;
  sealed: number;
  /** The tree size of the checkpoint signed, if one was. */
  signed: number | null;
}

/**
 * The one writer of the tree: numbers newly committed audit events as leaves, stores the tree
 * nodes they complete, and signs checkpoints with a key the database never holds. Every instance
 * runs one; a try-lock makes one of them seal at a time.
 */
export function createSealer({
  db,
  key,
  onError,
  batchSize = 1000,
  maxPerTransaction = 20_000,
  checkpointIntervalMs = 5000,
}: {
  db: Db;
  key: LogKey;
  onError: (err: unknown, message: string) => void;
  batchSize?: number;
  maxPerTransaction?: number;
  checkpointIntervalMs?: number;
}) {
  /** The newest checkpoint this process signed: kept here too, so rewriting the checkpoint table cannot hide a rewrite. */
  let signedHere: { size: number; root: Buffer } | undefined;
  let refused: string | null = null;
  let status: LogStatus = { treeSize: 0, checkpointSize: null, unsealedEvents: 0, sealingLagSeconds: 0, refused: null };

  /** Why the tree of `size` leaves and root `root` does not extend what was signed before, or null when it does. */
  async function rewriteFound(tx: Queryable, stored: StoredCheckpoint | undefined, size: number, root: Buffer, nodes: NodeMap): Promise<string | null> {
    const earlier: { size: number; root: Buffer; what: string }[] = [];
    if (stored) {
      try {
        const c = openStoredCheckpoint(stored.note, key);
        earlier.push({ size: c.size, root: c.rootHash, what: `the stored checkpoint of size ${c.size}` });
      } catch (err) {
        return `the newest stored checkpoint (size ${stored.treeSize}) is not signed by this log's key: ${(err as Error).message}`;
      }
    }
    if (signedHere) earlier.push({ ...signedHere, what: `the checkpoint of size ${signedHere.size} this instance signed` });
    for (const old of earlier) {
      if (old.size > size) return `the log has ${size} leaves, fewer than ${old.what}`;
      // Every tree extends the empty one, and RFC 9162 has no proof for it (verifyConsistency refuses m = 0).
      if (old.size === 0) continue;
      await loadTreeNodes(tx, consistencyProofNodes(old.size, size), nodes);
      const proof = consistencyProof(old.size, size, nodes.hashAt);
      if (!verifyConsistency(old.size, size, old.root, root, proof)) return `the log of ${size} leaves does not extend ${old.what}`;
    }
    return null;
  }

  async function signIfDue(tx: Queryable, size: number, nodes: NodeMap, force: boolean): Promise<number | null> {
    const stored = await latestCheckpoint(tx);
    if (stored?.treeSize === size) return null;
    if (!force && stored && Date.now() - stored.signedAt.getTime() < checkpointIntervalMs) return null;
    const root = rootHash(size, nodes.hashAt);
    const problem = await rewriteFound(tx, stored, size, root, nodes);
    if (problem) {
      if (refused !== problem) onError(new Error(problem), 'audit log: refusing to sign a checkpoint, the stored log was rewritten');
      refused = problem;
      return null;
    }
    const note = signCheckpoint({ origin: key.origin, size, rootHash: root }, key.origin, key.signer.privateKey);
    await insertCheckpoint(tx, { treeSize: size, rootHash: root.toString('base64'), note, signedAt: new Date() });
    signedHere = { size, root };
    refused = null;
    return size;
  }

  /**
   * One sealing pass: up to `maxPerTransaction` events, a batch (one tree statement) at a time, then
   * a checkpoint when one is due (`checkpoint: 'now'` signs whenever the tree grew).
   */
  async function seal({ checkpoint = 'due' }: { checkpoint?: 'due' | 'now' } = {}): Promise<SealResult> {
    return db.transaction(async (tx) => {
      if (!(await trySealerLock(tx))) return { sealer: false, sealed: 0, signed: null };
      let position = await sealPosition(tx);
      // The right edge of the tree (plus every node this pass creates) is all appending reads.
      const nodes = await loadTreeNodes(tx, rootNodes(position.size));
      let sealed = 0;
      while (sealed < maxPerTransaction) {
        const events = await sealableEvents(tx, position, Math.min(batchSize, maxPerTransaction - sealed));
        if (events.length === 0) break;
        const created = appendLeaves(
          position.size,
          events.map((e) => leafHash(leafBytes(e))),
          nodes.hashAt,
        );
        await appendToTree(
          tx,
          events.map((e, i) => ({ leafIndex: position.size + i, seq: e.seq })),
          created,
        );
        nodes.set(created);
        const last = events[events.length - 1]!;
        position = { size: position.size + events.length, xid: Number(last.xid), seq: last.seq };
        sealed += events.length;
      }
      const signed = await signIfDue(tx, position.size, nodes, checkpoint === 'now');
      return { sealer: true, sealed, signed };
    });
  }

  async function refreshStatus(): Promise<LogStatus> {
    const position = await sealPosition(db);
    const [pending, stored] = await Promise.all([unsealed(db, position), latestCheckpoint(db)]);
    status = {
      treeSize: position.size,
      checkpointSize: stored?.treeSize ?? null,
      unsealedEvents: pending.count,
      sealingLagSeconds: pending.oldestAgeSeconds,
      refused,
    };
    return status;
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  return {
    seal,
    refreshStatus,
    /** The last status read (the loop refreshes it every pass). */
    status: (): LogStatus => ({ ...status, refused }),

    /** Seals every `intervalMs` (at once again while a pass fills its transaction). */
    start(intervalMs: number) {
      stopped = false;
      const pass = async () => {
        let more = false;
        try {
          const result = await seal();
          more = result.sealed >= maxPerTransaction;
          await refreshStatus();
        } catch (err) {
          onError(err, 'audit log: sealing failed');
        }
        if (!stopped) timer = setTimeout(tick, more ? 0 : intervalMs);
      };
      const tick = () => {
        running = pass();
      };
      timer = setTimeout(tick, 0);
    },

    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

export type Sealer = ReturnType<typeof createSealer>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's audit log sealer (tests and operators' tools seal on demand). */
    auditSealer: Sealer;
  }
}
