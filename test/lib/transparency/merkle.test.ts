import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { EMPTY_ROOT, leafHash, nodeHash, verifyConsistency, verifyInclusion } from '../../../src/lib/transparency/merkle-hash.ts';
import { MemoryTree, appendLeaves, consistencyProof, consistencyProofNodes, inclusionProof, inclusionProofNodes, rootHash, rootNodes, type HashAt } from '../../../src/lib/transparency/merkle.ts';

// ---------------------------------------------------------------------------------------------
// A reference written from the RFC text, sharing no code with the module under test.
// RFC 6962 section 2.1 (MTH, PATH, PROOF/SUBPROOF) and RFC 9162 sections 2.1.3.2 and 2.1.4.2.
// ---------------------------------------------------------------------------------------------
const H = (...parts: Uint8Array[]): Buffer<ArrayBufferLike> => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const ref = {
  leaf: (d: Uint8Array) => H(Buffer.from([0]), d),
  node: (l: Uint8Array, r: Uint8Array) => H(Buffer.from([1]), l, r),
  /** k: the largest power of two smaller than n. */
  k(n: number): number {
    let k = 1;
    while (k << 1 < n) k <<= 1;
    return k;
  },
  /** MTH(D[n]) over leaf data. */
  mth(d: Uint8Array[]): Buffer {
    if (d.length === 0) return H();
    if (d.length === 1) return ref.leaf(d[0]!);
    const k = ref.k(d.length);
    return ref.node(ref.mth(d.slice(0, k)), ref.mth(d.slice(k)));
  },
  /** PATH(m, D[n]). */
  path(m: number, d: Uint8Array[]): Buffer[] {
    if (d.length === 1) return [];
    const k = ref.k(d.length);
    return m < k ? [...ref.path(m, d.slice(0, k)), ref.mth(d.slice(k))] : [...ref.path(m - k, d.slice(k)), ref.mth(d.slice(0, k))];
  },
  /** SUBPROOF(m, D[n], b). */
  subproof(m: number, d: Uint8Array[], b: boolean): Buffer[] {
    const n = d.length;
    if (m === n) return b ? [] : [ref.mth(d)];
    const k = ref.k(n);
    return m <= k ? [...ref.subproof(m, d.slice(0, k), b), ref.mth(d.slice(k))] : [...ref.subproof(m - k, d.slice(k), false), ref.mth(d.slice(0, k))];
  },
  /** RFC 9162 2.1.3.2, step by step. */
  verifyInclusion(leafIndex: number, treeSize: number, hash: Uint8Array, inclusionPath: Uint8Array[], root: Uint8Array): boolean {
    if (leafIndex >= treeSize) return false;
    let fn = leafIndex;
    let sn = treeSize - 1;
    let r: Buffer<ArrayBufferLike> = Buffer.from(hash);
    for (const p of inclusionPath) {
      if (sn === 0) return false;
      if ((fn & 1) === 1 || fn === sn) {
        r = ref.node(p, r);
        if ((fn & 1) === 0) {
          do {
            fn >>= 1;
            sn >>= 1;
          } while ((fn & 1) === 0 && fn !== 0);
        }
      } else {
        r = ref.node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn === 0 && r.equals(root);
  },
  /** RFC 9162 2.1.4.2, step by step (for 0 < first < second). */
  verifyConsistency(first: number, second: number, firstHash: Uint8Array, secondHash: Uint8Array, consistencyPath: Uint8Array[]): boolean {
    if (consistencyPath.length === 0) return false;
    const path = (first & (first - 1)) === 0 ? [firstHash, ...consistencyPath] : [...consistencyPath];
    let fn = first - 1;
    let sn = second - 1;
    while ((fn & 1) === 1) {
      fn >>= 1;
      sn >>= 1;
    }
    let fr: Buffer<ArrayBufferLike> = Buffer.from(path[0]!);
    let sr: Buffer<ArrayBufferLike> = Buffer.from(path[0]!);
    for (const c of path.slice(1)) {
      if (sn === 0) return false;
      if ((fn & 1) === 1 || fn === sn) {
        fr = ref.node(c, fr);
        sr = ref.node(c, sr);
        if ((fn & 1) === 0) {
          do {
            fn >>= 1;
            sn >>= 1;
          } while ((fn & 1) === 0 && fn !== 0);
        }
      } else {
        sr = ref.node(sr, c);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
  },
};

const data = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`event ${i}`));
const hex = (hs: Uint8Array[]): string[] => hs.map((h) => Buffer.from(h).toString('hex'));
const flip = (h: Uint8Array): Buffer => {
  const b = Buffer.from(h);
  b[0]! ^= 1;
  return b;
};

/** A lookup that answers only for the given nodes, so a proof cannot read anything it did not ask for. */
function only(tree: MemoryTree, nodes: { level: number; index: number }[]): HashAt {
  const allowed = new Set(nodes.map((n) => `${n.level}:${n.index}`));
  return (level, index) => (allowed.has(`${level}:${index}`) ? tree.hashAt(level, index) : undefined);
}

const MAX = 40;
const D = data(MAX);
const full = new MemoryTree(D.map(leafHash));

t.test('hashing: leaf and node prefixes, the empty tree', async (t) => {
  t.same(leafHash(Buffer.from('x')), ref.leaf(Buffer.from('x')));
  t.same(nodeHash(Buffer.alloc(32, 1), Buffer.alloc(32, 2)), ref.node(Buffer.alloc(32, 1), Buffer.alloc(32, 2)));
  t.same(EMPTY_ROOT, ref.mth([]));
  t.same(new MemoryTree().root(), ref.mth([]));
});

t.test(`every tree size 1..${MAX}: the root is MTH and every inclusion proof passes the RFC 9162 verifier`, async (t) => {
  let checked = 0;
  for (let n = 1; n <= MAX; n++) {
    const root = full.root(n);
    t.same(root, ref.mth(D.slice(0, n)), `root of ${n}`);
    t.same(rootHash(n, only(full, rootNodes(n))), root, `root of ${n} from its right-edge nodes only`);
    for (let i = 0; i < n; i++) {
      const proof = inclusionProof(i, n, only(full, inclusionProofNodes(i, n)));
      t.same(hex(proof), hex(ref.path(i, D.slice(0, n))), `PATH(${i}, D[${n}])`);
      if (!ref.verifyInclusion(i, n, ref.leaf(D[i]!), proof, root)) t.fail(`reference rejects inclusion of ${i} in ${n}`);
      if (!verifyInclusion(i, n, leafHash(D[i]!), proof, root)) t.fail(`module rejects inclusion of ${i} in ${n}`);
      // Anything altered is refused by both verifiers.
      const bad: [string, number, number, Uint8Array, Uint8Array[], Uint8Array][] = [
        ['other leaf', i, n, ref.leaf(Buffer.from('forged')), proof, root],
        ['other root', i, n, ref.leaf(D[i]!), proof, flip(root)],
        ['other index', (i + 1) % n, n, ref.leaf(D[i]!), proof, root],
        ['extra element', i, n, ref.leaf(D[i]!), [...proof, root], root],
        ...proof.map((_, j): [string, number, number, Uint8Array, Uint8Array[], Uint8Array] => [`flipped ${j}`, i, n, ref.leaf(D[i]!), proof.map((p, x) => (x === j ? flip(p) : p)), root]),
      ];
      if (proof.length > 0) bad.push(['dropped element', i, n, ref.leaf(D[i]!), proof.slice(1), root]);
      for (const [what, ...args] of bad) {
        if (n === 1 && what === 'other index') continue; // (0 + 1) % 1 is the same index
        if (ref.verifyInclusion(...args)) t.fail(`reference accepts ${what} for ${i} in ${n}`);
        if (verifyInclusion(...args)) t.fail(`module accepts ${what} for ${i} in ${n}`);
      }
      checked++;
    }
  }
  t.equal(checked, (MAX * (MAX + 1)) / 2);
});

t.test(`every 1 <= m < n <= ${MAX}: the consistency proof passes the RFC 9162 verifier`, async (t) => {
  let checked = 0;
  for (let n = 1; n <= MAX; n++) {
    const root = full.root(n);
    for (let m = 1; m < n; m++) {
      const old = ref.mth(D.slice(0, m));
      const proof = consistencyProof(m, n, only(full, consistencyProofNodes(m, n)));
      t.same(hex(proof), hex(ref.subproof(m, D.slice(0, n), true)), `PROOF(${m}, D[${n}])`);
      if (!ref.verifyConsistency(m, n, old, root, proof)) t.fail(`reference rejects ${m} -> ${n}`);
      if (!verifyConsistency(m, n, old, root, proof)) t.fail(`module rejects ${m} -> ${n}`);
      const bad: [string, number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
        ['other old root', m, n, flip(old), root, proof],
        ['other new root', m, n, old, flip(root), proof],
        ['empty proof', m, n, old, root, []],
        ['dropped element', m, n, old, root, proof.slice(1)],
        ['extra element', m, n, old, root, [...proof, root]],
        ...proof.map((_, j): [string, number, number, Uint8Array, Uint8Array, Uint8Array[]] => [`flipped ${j}`, m, n, old, root, proof.map((p, x) => (x === j ? flip(p) : p))]),
      ];
      for (const [what, ...args] of bad) {
        if (ref.verifyConsistency(...args)) t.fail(`reference accepts ${what} for ${m} -> ${n}`);
        if (verifyConsistency(...args)) t.fail(`module accepts ${what} for ${m} -> ${n}`);
      }
      checked++;
    }
    // m = n and m = 0: an empty proof, settled by the sizes and roots.
    t.same(full.consistencyProof(n, n), []);
    t.same(full.consistencyProof(0, n), []);
    t.ok(verifyConsistency(n, n, root, root, []));
    t.notOk(verifyConsistency(n, n, root, flip(root), []));
    t.notOk(verifyConsistency(n, n, root, root, [root]));
    t.notOk(verifyConsistency(0, n, EMPTY_ROOT, root, []), 'from size 0 there is nothing to prove');
    t.notOk(verifyConsistency(n, n - 1, root, root, []));
  }
  t.equal(checked, (MAX * (MAX - 1)) / 2);
});

t.test('appending in batches stores the same perfect subtrees as building at once', async (t) => {
  const leaves = D.map(leafHash);
  for (const batches of [[1, 1, 1, 37], [3, 5, 7, 25], [16, 16, 8], [40], [2, 13, 1, 24]]) {
    const tree = new MemoryTree();
    let at = 0;
    for (const b of batches) {
      // The store only needs the old tree's right edge to extend it.
      const created = appendLeaves(at, leaves.slice(at, at + b), only(tree, rootNodes(at)));
      t.equal(created.filter((n) => n.level === 0).length, b);
      tree.append(leaves.slice(at, at + b));
      at += b;
      t.same(tree.root(), full.root(at), `root after ${at}`);
    }
    t.same(tree.levels.map(hex), full.levels.map(hex), `batches ${batches.join('+')}`);
  }
  // Each perfect subtree is created exactly once.
  const all = new MemoryTree();
  const created = D.flatMap((d) => all.append([leafHash(d)]));
  t.equal(
    created.length,
    full.levels.reduce((s, l) => s + l.length, 0),
  );
});

t.test('out-of-range requests are refused', async (t) => {
  t.throws(() => full.inclusionProof(40, 40));
  t.throws(() => full.inclusionProof(-1, 40));
  t.throws(() => full.consistencyProof(41, 40));
  t.throws(() => inclusionProof(0, 41, full.hashAt), /missing tree node/);
  t.notOk(verifyInclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT));
});

// ---------------------------------------------------------------------------------------------
// Known answers: RFC 6962 test vectors as published by transparency-dev/merkle (testonly/constants.go
// and testdata/, from certificate-transparency-go), copied into rfc6962-vectors.json.
// ---------------------------------------------------------------------------------------------
const hd = (s: string): Buffer => Buffer.from(s, 'hex');
const KAT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(hd);
const KAT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string | null;
  leafHash: string | null;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
  file: string;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string | null;
  root2: string | null;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
  file: string;
}
const vectors = JSON.parse(readFileSync(new URL('./rfc6962-vectors.json', import.meta.url), 'utf8')) as { inclusion: InclusionVector[]; consistency: ConsistencyVector[] };
const b64 = (s: string | null): Buffer => Buffer.from(s ?? '', 'base64');

t.test('known answers: roots of the RFC 6962 test leaves', async (t) => {
  const kat = new MemoryTree(KAT_LEAVES.map(leafHash));
  for (const [n, root] of KAT_ROOTS.entries()) t.equal(kat.root(n).toString('hex'), root, `size ${n}`);
});

t.test('known answers: published inclusion vectors', async (t) => {
  const kat = new MemoryTree(KAT_LEAVES.map(leafHash));
  t.ok(vectors.inclusion.length > 90);
  for (const v of vectors.inclusion) {
    const proof = (v.proof ?? []).map(b64);
    t.equal(verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), proof, b64(v.root)), !v.wantErr, `${v.file}: ${v.desc}`);
    if (!v.wantErr && v.treeSize <= 8 && b64(v.root).equals(kat.root(v.treeSize))) t.same(hex(kat.inclusionProof(v.leafIdx, v.treeSize)), hex(proof), `${v.file}: our proof is the published one`);
  }
});

t.test('known answers: published consistency vectors', async (t) => {
  const kat = new MemoryTree(KAT_LEAVES.map(leafHash));
  t.ok(vectors.consistency.length > 90);
  for (const v of vectors.consistency) {
    const proof = (v.proof ?? []).map(b64);
    t.equal(verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), proof), !v.wantErr, `${v.file}: ${v.desc}`);
    if (v.size1 > 0 && v.size1 < v.size2) t.equal(ref.verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), proof), !v.wantErr, `${v.file}: the reference agrees`);
    if (!v.wantErr && v.size2 <= 8 && b64(v.root2).equals(kat.root(v.size2))) t.same(hex(kat.consistencyProof(v.size1, v.size2)), hex(proof), `${v.file}: our proof is the published one`);
  }
});
