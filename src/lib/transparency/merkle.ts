/**
 * The RFC 6962 / RFC 9162 Merkle tree, as plain functions over SHA-256 hashes.
 *
 * Storage model: the tree is kept as the hashes of its *perfect subtrees*. The node at
 * (level, index) is the hash of the 2^level leaves starting at leaf index * 2^level; it exists
 * once all those leaves are in the log and never changes after that. Level 0 holds the leaf
 * hashes. Every hash the RFC needs (a root, a proof element) is the hash of a leaf range that
 * splits into at most log2(n) such nodes, folded from the right, so a store of perfect
 * subtrees answers any root or proof with one lookup of known coordinates:
 *
 *   const coords = inclusionProofNodes(index, size);   // which (level, index) to fetch
 *   const hashAt = lookupFrom(rowsFetchedFor(coords)); // e.g. one SQL query
 *   const proof = inclusionProof(index, size, hashAt);
 *
 * Appending leaves creates new perfect nodes only on the right edge: `appendLeaves` computes
 * them from the new leaf hashes and the old tree's right-edge nodes (`perfectSubtrees(0, size)`).
 */
import { EMPTY_ROOT, type Hash, nodeHash } from './merkle-hash.ts';

/** A perfect subtree: the 2^level leaves from index * 2^level. */
export interface NodeId {
  level: number;
  index: number;
}

export interface Node extends NodeId {
  hash: Hash;
}

/** Looks up a stored perfect subtree; throws (or returns undefined) when it is not there. */
export type HashAt = (level: number, index: number) => Hash | undefined;

/** Perfect subtrees held by (level, index): a tree's right edge, or the rows a proof reads. */
export class NodeMap {
  readonly #nodes = new Map<string, Hash>();

  readonly hashAt: HashAt = (level, index) => this.#nodes.get(`${level}:${index}`);

  set(nodes: Iterable<Node>): this {
    for (const { level, index, hash } of nodes) this.#nodes.set(`${level}:${index}`, hash);
    return this;
  }

  /** A new map of only the nodes among `ids` (all of which it must hold), e.g. a tree's right edge. */
  only(ids: readonly NodeId[]): NodeMap {
    return new NodeMap().set(ids.map(({ level, index }) => ({ level, index, hash: lookup(this.hashAt, { level, index }) })));
  }
}

/** A leaf range [start, end) whose hash the RFC uses as one value. */
export type Range = readonly [start: number, end: number];

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

/** The largest power of two strictly smaller than n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees that make up [start, end), left to right, largest first. Every range the
 * RFC's recursion produces (and so every range here) is either perfect or the right edge of a tree.
 */
export function perfectSubtrees(start: number, end: number): NodeId[] {
  checkSize(start, 'start');
  checkSize(end, 'end');
  if (end < start) throw new RangeError(`empty range [${start}, ${end})`);
  const out: NodeId[] = [];
  let at = start;
  let size = end - start;
  while (size > 0) {
    let level = 0;
    while (2 ** (level + 1) <= size) level++;
    const width = 2 ** level;
    if (at % width !== 0) throw new RangeError(`[${start}, ${end}) is not a subtree range`);
    out.push({ level, index: at / width });
    at += width;
    size -= width;
  }
  return out;
}

function lookup(hashAt: HashAt, { level, index }: NodeId): Hash {
  const h = hashAt(level, index);
  if (!h) throw new Error(`missing tree node at level ${level}, index ${index}`);
  return h;
}

/** MTH(D[start:end]) from stored perfect subtrees: their hashes folded from the right. */
export function rangeHash([start, end]: Range, hashAt: HashAt): Hash {
  const nodes = perfectSubtrees(start, end);
  if (nodes.length === 0) return EMPTY_ROOT;
  let h = lookup(hashAt, nodes[nodes.length - 1]!);
  for (let i = nodes.length - 2; i >= 0; i--) h = nodeHash(lookup(hashAt, nodes[i]!), h);
  return h;
}

/** MTH(D[0:size]). */
export function rootHash(size: number, hashAt: HashAt): Hash {
  return rangeHash([0, size], hashAt);
}

/** The ranges of PATH(index, D[0:size]) (RFC 6962 2.1.1 / RFC 9162 2.1.3.1), leaf side first. */
export function inclusionProofRanges(index: number, size: number): Range[] {
  checkSize(index, 'leaf index');
  checkSize(size, 'tree size');
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
  const path: Range[] = [];
  // Walk down from the root, collecting the sibling at each split; the RFC lists them bottom-up.
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path.push([lo + k, hi]);
      hi = lo + k;
    } else {
      path.push([lo, lo + k]);
      lo += k;
    }
  }
  return path.reverse();
}

/**
 * The ranges of PROOF(m, D[0:n]) (RFC 6962 2.1.2 / RFC 9162 2.1.4.1). Empty when m is 0 or m = n:
 * every tree extends the empty one, and a tree extends itself when the roots are equal.
 */
export function consistencyProofRanges(m: number, n: number): Range[] {
  checkSize(m, 'old size');
  checkSize(n, 'new size');
  if (m > n) throw new RangeError(`old size ${m} is larger than new size ${n}`);
  if (m === 0 || m === n) return [];
  const proof: Range[] = [];
  // SUBPROOF(m, D[lo:hi], b), unrolled: each step appends one sibling after the deeper part.
  let lo = 0;
  let hi = n;
  let b = true;
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      proof.push([lo + k, hi]);
      hi = lo + k;
    } else {
      proof.push([lo, lo + k]);
      m -= k;
      lo += k;
      b = false;
    }
  }
  if (!b) proof.push([lo, hi]);
  return proof.reverse();
}

/** Every stored node needed to hash the given ranges, without duplicates. */
export function nodesFor(ranges: readonly Range[]): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const [start, end] of ranges) for (const n of perfectSubtrees(start, end)) seen.set(`${n.level}:${n.index}`, n);
  return [...seen.values()];
}

export const inclusionProofNodes = (index: number, size: number): NodeId[] => nodesFor(inclusionProofRanges(index, size));
export const consistencyProofNodes = (m: number, n: number): NodeId[] => nodesFor(consistencyProofRanges(m, n));
export const rootNodes = (size: number): NodeId[] => perfectSubtrees(0, size);

export function inclusionProof(index: number, size: number, hashAt: HashAt): Hash[] {
  return inclusionProofRanges(index, size).map((r) => rangeHash(r, hashAt));
}

export function consistencyProof(m: number, n: number, hashAt: HashAt): Hash[] {
  return consistencyProofRanges(m, n).map((r) => rangeHash(r, hashAt));
}

/**
 * The perfect-subtree nodes created by appending `leaves` (leaf hashes) to a tree of `size` leaves,
 * including the new leaves themselves at level 0. `hashAt` must answer for `perfectSubtrees(0, size)`
 * (the old tree's right edge); nothing else of the old tree is read.
 */
export function appendLeaves(size: number, leaves: readonly Hash[], hashAt: HashAt): Node[] {
  checkSize(size, 'tree size');
  const created: Node[] = [];
  const fresh = new Map<string, Hash>();
  const get = (level: number, index: number): Hash => fresh.get(`${level}:${index}`) ?? lookup(hashAt, { level, index });
  leaves.forEach((hash, i) => {
    let level = 0;
    let index = size + i;
    let h = hash;
    for (;;) {
      fresh.set(`${level}:${index}`, h);
      created.push({ level, index, hash: h });
      if (index % 2 === 0) break; // a left child: its parent is not complete yet
      h = nodeHash(get(level, index - 1), h);
      level++;
      index = (index - 1) / 2;
    }
  });
  return created;
}

/** A whole tree in memory (tests, `audit-verify` recomputing from the leaves). */
export class MemoryTree {
  /** levels[level][index] = hash of that perfect subtree. */
  readonly levels: Hash[][] = [[]];

  constructor(leaves: readonly Hash[] = []) {
    this.append(leaves);
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  readonly hashAt: HashAt = (level, index) => this.levels[level]?.[index];

  append(leaves: readonly Hash[]): Node[] {
    const created = appendLeaves(this.size, leaves, this.hashAt);
    for (const { level, index, hash } of created) (this.levels[level] ??= [])[index] = hash;
    return created;
  }

  root(size = this.size): Hash {
    return rootHash(size, this.hashAt);
  }

  inclusionProof(index: number, size = this.size): Hash[] {
    return inclusionProof(index, size, this.hashAt);
  }

  consistencyProof(m: number, n = this.size): Hash[] {
    return consistencyProof(m, n, this.hashAt);
  }
}
