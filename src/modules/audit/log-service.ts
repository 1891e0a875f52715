import type { Db } from '../../db/client.ts';
import type { LogKey } from '../../lib/audit-signing-key.ts';
import { leafHash, type Hash } from '../../lib/transparency/merkle-hash.ts';
import { appendLeaves, consistencyProof, consistencyProofNodes, inclusionProof, inclusionProofNodes, NodeMap, rootHash, rootNodes } from '../../lib/transparency/merkle.ts';
import { openCheckpoint, parseCheckpoint, type Checkpoint } from '../../lib/transparency/signed-note.ts';
import { commitment, commitmentsIn, leafBytes } from './audit-leaf.ts';
import { eventAtLeaf, latestCheckpoint, leavesFrom, sealPosition, loadTreeNodes, unsealed } from './audit-repository.ts';

export type LogProblem = 'leaf_missing' | 'event_altered' | 'personal_value_altered' | 'tree_node_altered' | 'checkpoint_mismatch' | 'checkpoint_not_signed' | 'log_truncated';

export interface LogVerification {
  valid: boolean;
  /** Leaves recomputed from their events. */
  checked: number;
  treeSize: number;
  /** Events written but not sealed yet (not part of the log until they are). */
  unsealedEvents: number;
  /** The newest stored checkpoint, when it checks out. */
  checkpoint: string | null;
  /** The first thing that does not check out; hashes expected are never shown. */
  firstProblem: { problem: LogProblem; leafIndex: number | null; seq: number | null; detail: string } | null;
}

const VERIFY_BATCH = 2000;

/**
 * A checkpoint read back from the database. One of this log's origin must carry a valid signature by
 * its key. One of another origin was signed by an earlier key (a new key is a new origin), whose
 * verifier is not held here: its body is taken as a claim the stored tree must still extend, so a
 * key rotation neither stops signing nor hides a rewrite of what the old key signed.
 */
export function openStoredCheckpoint(note: string, key: LogKey): Checkpoint {
  const body = parseCheckpoint(note.slice(0, note.lastIndexOf('\n\n') + 1));
  return body.origin === key.origin ? openCheckpoint(note, key.verifier, key.origin) : body;
}

/** Reading the log: checkpoints, proofs and the full recomputation (shared by the endpoints and the CLI). */
export function createLogService({ db, key: logKey }: { db: Db; key: LogKey }) {
  async function sealedSize(): Promise<number> {
    return (await sealPosition(db)).size;
  }

  return {
    verifierKey: () => logKey.verifierKey,

    /** The newest signed checkpoint (a signed note), if any. */
    latestCheckpoint: async (): Promise<string | null> => (await latestCheckpoint(db))?.note ?? null,

    sealedSize,

    latestCheckpointSize: async (): Promise<number | null> => (await latestCheckpoint(db))?.treeSize ?? null,

    /** RFC 9162 PROOF(from, D[to]); null when `to` is beyond the sealed tree. */
    async consistency(from: number, to: number): Promise<Hash[] | null> {
      if (to > (await sealedSize())) return null;
      return consistencyProof(from, to, (await loadTreeNodes(db, consistencyProofNodes(from, to))).hashAt);
    },

    /** RFC 9162 PATH(leafIndex, D[treeSize]) with the leaf's bytes; null when the leaf or the size is not in the log. */
    async inclusion(leafIndex: number, treeSize: number) {
      if (leafIndex >= treeSize || treeSize > (await sealedSize())) return null;
      const event = await eventAtLeaf(db, leafIndex);
      if (!event) return null;
      const bytes = leafBytes(event);
      const hashes = inclusionProof(leafIndex, treeSize, (await loadTreeNodes(db, inclusionProofNodes(leafIndex, treeSize))).hashAt);
      return { leafIndex, treeSize, leafHash: leafHash(bytes), hashes, leafBytes: bytes, seq: event.seq };
    },

    /**
     * Recomputes every leaf from its event (and the commitments of the personal values still kept),
     * the tree from the leaves, compares both with what is stored, and checks the newest stored
     * checkpoint and every `trusted` one (kept outside, e.g. by an auditor) against the recomputed
     * roots. Memory stays flat: only the tree's right edge is held.
     */
    async verify({ trusted = [], batchSize = VERIFY_BATCH }: { trusted?: readonly Checkpoint[]; batchSize?: number } = {}): Promise<LogVerification> {
      const stored = await latestCheckpoint(db);
      const position = await sealPosition(db);
      const pending = await unsealed(db, position);
      const result = (firstProblem: LogVerification['firstProblem'], checked: number): LogVerification => ({
        valid: firstProblem === null,
        checked,
        treeSize: position.size,
        unsealedEvents: pending.count,
        checkpoint: firstProblem === null ? (stored?.note ?? null) : null,
        firstProblem,
      });

      const checkpoints: { size: number; root: Buffer; what: string }[] = trusted.map((c) => ({ size: c.size, root: c.rootHash, what: `the given checkpoint of size ${c.size}` }));
      if (stored) {
        try {
          const c = openStoredCheckpoint(stored.note, logKey);
          checkpoints.push({ size: c.size, root: c.rootHash, what: `the stored checkpoint of size ${c.size}` });
        } catch (err) {
          return result({ problem: 'checkpoint_not_signed', leafIndex: null, seq: null, detail: `The newest stored checkpoint is not signed by this log's key (${(err as Error).message}).` }, 0);
        }
      }
      const beyond = checkpoints.find((c) => c.size > position.size);
      if (beyond) return result({ problem: 'log_truncated', leafIndex: position.size, seq: null, detail: `The log has ${position.size} leaves, fewer than ${beyond.what}: events were removed.` }, 0);
      const rootsWanted = new Set(checkpoints.map((c) => c.size));
      const roots = new Map<number, Buffer>();

      // The recomputed tree's right edge, plus the nodes the current batch creates.
      let edge = new NodeMap();
      let size = 0;
      if (rootsWanted.has(0)) roots.set(0, rootHash(0, edge.hashAt));
      for (;;) {
        const batch = await leavesFrom(db, size, batchSize);
        if (batch.length === 0) break;
        const leaves: Hash[] = [];
        for (const e of batch) {
          const at = size + leaves.length;
          if (e.leafIndex !== at) return result({ problem: 'leaf_missing', leafIndex: at, seq: null, detail: `Leaf ${at} has no event: an event was removed from the log.` }, at);
          const commitments = commitmentsIn(e.after, commitmentsIn(e.before));
          const altered = (e.personalValues ?? []).find((v) => !commitments.has(v.commitment) || commitment(v.salt, v.value) !== v.commitment);
          if (altered)
            return result({ problem: 'personal_value_altered', leafIndex: at, seq: e.seq, detail: `A personal value kept for leaf ${at} (event ${e.seq}) is not the one its leaf commits to.` }, at);
          leaves.push(leafHash(leafBytes(e)));
        }
        // Split where a checkpoint's size falls, to take the root there.
        let done = 0;
        while (done < leaves.length) {
          const next = [...rootsWanted].filter((s) => s > size && s <= size + leaves.length - done).sort((a, b) => a - b)[0];
          const part = leaves.slice(done, next === undefined ? undefined : done + (next - size));
          const created = appendLeaves(size, part, edge.hashAt);
          edge.set(created);
          const stored = await loadTreeNodes(db, created);
          const bad = created.find((n) => !stored.hashAt(n.level, n.index)?.equals(n.hash));
          if (bad) {
            const first = bad.index * 2 ** bad.level;
            const problem = bad.level === 0 ? 'event_altered' : 'tree_node_altered';
            const detail =
              bad.level === 0 ? `Leaf ${first} does not match its event: the event or its stored leaf was changed.` : `A stored tree node over leaves from ${first} does not match the leaves.`;
            return result({ problem, leafIndex: first, seq: bad.level === 0 ? (batch.find((e) => e.leafIndex === first)?.seq ?? null) : null, detail }, first);
          }
          size += part.length;
          done += part.length;
          if (rootsWanted.has(size)) roots.set(size, rootHash(size, edge.hashAt));
          edge = edge.only(rootNodes(size));
        }
      }
      for (const c of checkpoints) {
        if (!roots.get(c.size)?.equals(c.root)) {
          return result(
            { problem: 'checkpoint_mismatch', leafIndex: null, seq: null, detail: `The recomputed log does not match ${c.what}: events up to leaf ${c.size - 1} were changed, removed or reordered.` },
            size,
          );
        }
      }
      return result(null, size);
    },
  };
}

export type LogService = ReturnType<typeof createLogService>;
