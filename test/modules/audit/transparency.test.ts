import { createHash, createPrivateKey, createPublicKey, verify as ed25519Verify, type KeyObject } from 'node:crypto';
import t from 'tap';
import { AUDIT_SIGNING_KEY, buildTestApp, eachDatabase, PASSWORD, type TestApp } from '../../helpers/app.ts';

// An auditor's own implementation, written from RFC 6962 section 2.1 (hashes, PATH, PROOF), RFC 9162
// sections 2.1.3.2 and 2.1.4.2 (verification) and c2sp.org/signed-note, with node:crypto only: the
// log is checked the way an outsider would, not by the code under test.

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHashOf = (bytes: Uint8Array) => sha256(Buffer.from([0x00]), bytes);
const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(Buffer.from([0x01]), left, right);
const lsb = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes (RFC 6962 2.1): the empty tree hashes to SHA-256(). */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** PATH(m, D[n]) (RFC 6962 2.1.1). */
function path(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 6962 2.1.2); empty for m = 0 and m = n. */
function proof(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (m === 0) return [];
  const subproof = (m: number, d: readonly Buffer[], b: boolean): Buffer[] => {
    if (m === d.length) return b ? [] : [mth(d)];
    const k = split(d.length);
    return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
  };
  return subproof(m, leaves, true);
}

/** RFC 9162 2.1.3.2, step by step. */
function verifyInclusion(leafIndex: number, treeSize: number, hash: Buffer, inclusionPath: readonly Buffer[], root: Buffer): boolean {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = hash;
  for (const p of inclusionPath) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 2.1.4.2, step by step, for 0 < first < second (an equal size must have an empty proof and the same root). */
function verifyConsistency(first: number, second: number, firstHash: Buffer, secondHash: Buffer, consistencyPath: readonly Buffer[]): boolean {
  if (first === second) return consistencyPath.length === 0 && firstHash.equals(secondHash);
  if (first === 0 || first > second) return false;
  if (consistencyPath.length === 0) return false;
  const hashes = (first & (first - 1)) === 0 ? [firstHash, ...consistencyPath] : [...consistencyPath];
  let fn = first - 1;
  let sn = second - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = hashes[0]!;
  let sr = hashes[0]!;
  for (const c of hashes.slice(1)) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
}

interface Verifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
  raw: Buffer;
}

const ed25519FromRaw = (raw: Buffer) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });

/** Key ID = SHA-256(name || "\n" || 0x01 || public key)[:4]. */
const keyIdOf = (name: string, raw: Buffer) => sha256(Buffer.from(`${name}\n`), Buffer.from([0x01]), raw).subarray(0, 4);

/** `name+hex8(keyID)+base64(0x01 || public key)`; the base64 may itself hold '+'. */
function parseVerifierKey(text: string): Verifier {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text);
  if (!m) throw new Error(`not a verifier key: ${text}`);
  const key = Buffer.from(m[3]!, 'base64');
  if (key.length !== 33 || key[0] !== 0x01) throw new Error('not an Ed25519 verifier key');
  const raw = key.subarray(1);
  return { name: m[1]!, keyId: Buffer.from(m[2]!, 'hex'), publicKey: ed25519FromRaw(raw), raw };
}

/**
 * A signed note's text (ending in a newline) when one of its signature lines is by `v` and verifies
 * over exactly that text; null otherwise.
 */
function openNote(note: string, v: Verifier): string | null {
  const at = note.lastIndexOf('\n\n');
  if (at < 0 || !note.endsWith('\n')) return null;
  const text = note.slice(0, at + 1);
  for (const line of note.slice(at + 2, -1).split('\n')) {
    const m = /^— (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (!m || m[1] !== v.name) continue;
    const sig = Buffer.from(m[2]!, 'base64');
    if (sig.length === 68 && sig.subarray(0, 4).equals(v.keyId) && ed25519Verify(null, Buffer.from(text, 'utf8'), v.publicKey, sig.subarray(4))) return text;
  }
  return null;
}

/** A checkpoint body (origin, size, root) out of a note `v` signed. */
function openCheckpoint(note: string, v: Verifier): { origin: string; size: number; root: Buffer } {
  const text = openNote(note, v);
  if (text === null) throw new Error('the checkpoint is not signed by the verifier key');
  const [origin, size, root, end] = text.split('\n');
  if (end !== '' || !/^\d+$/.test(size!) || !/^[A-Za-z0-9+/]{43}=$/.test(root!)) throw new Error(`not a checkpoint: ${text}`);
  return { origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') };
}

/** Replaces every `{"$commit": c}` by what the revealed snapshot has there, which must be a string: the rest must be equal. */
function revealsCommitments(committed: unknown, revealed: unknown, found: { n: number }): boolean {
  if (committed !== null && typeof committed === 'object' && !Array.isArray(committed)) {
    const keys = Object.keys(committed);
    if (keys.length === 1 && keys[0] === '$commit') {
      found.n++;
      return typeof revealed === 'string' && /^[A-Za-z0-9+/]{43}=$/.test((committed as { $commit: string }).$commit);
    }
    if (revealed === null || typeof revealed !== 'object' || Array.isArray(revealed)) return false;
    const other = revealed as Record<string, unknown>;
    return keys.length === Object.keys(other).length && keys.every((k) => k in other && revealsCommitments((committed as Record<string, unknown>)[k], other[k], found));
  }
  if (Array.isArray(committed)) return Array.isArray(revealed) && committed.length === revealed.length && committed.every((c, i) => revealsCommitments(c, revealed[i], found));
  return committed === revealed;
}

/** JSON with keys sorted at every level: what canonical leaf bytes must already be. */
const sortedJson = (v: unknown): string =>
  JSON.stringify(v, (_k, x) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, x[k]]),
        )
      : x,
  );

const b64 = (s: string) => Buffer.from(s, 'base64');

interface ListedEvent {
  seq: number;
  leafIndex: number | null;
  occurredAt: string;
  actor: { type: string; id: string | null; role: string | null };
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

async function listAll(ta: TestApp, token: string): Promise<ListedEvent[]> {
  const all: ListedEvent[] = [];
  let cursor: string | null = null;
  do {
    const res = await ta.request({ method: 'GET', url: `/v1/admin/audit?limit=100${cursor ? `&cursor=${cursor}` : ''}`, token });
    if (res.statusCode !== 200) throw new Error(`audit list: ${res.statusCode} ${res.body}`);
    all.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return all;
}

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind);
  const registrar = await ta.staff('registrar');
  const get = (url: string, token?: string) => ta.request({ method: 'GET', url, token });

  /** Sign-ins good and bad, a registration, a role change with a reason. */
  const workload = async (mediators: number) => {
    for (let i = 0; i < mediators; i++) {
      const m = await ta.mediator(undefined, `Workload Person ${kind} ${i}`);
      await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: m.email, password: 'not the password at all' } });
      if (i === 0) await ta.request({ method: 'PUT', url: `/v1/admin/users/${m.userId}/role`, token: registrar.token, payload: { role: 'assessor', reason: 'Joins the panel for the spring round' } });
    }
  };

  await t.test('before the first seal there is no checkpoint and no proof', async (t) => {
    const checkpoint = await get('/v1/transparency/checkpoint');
    t.equal(checkpoint.statusCode, 404);
    t.match(checkpoint.headers['content-type'], /^application\/problem\+json/);
    t.same((await get('/v1/transparency/consistency?from=0&to=0')).json(), { from: 0, to: 0, hashes: [] }, 'the empty tree is consistent with itself');
    t.match((await get('/v1/transparency/consistency?from=0&to=1')).json(), { status: 422, code: 'beyond-log' });
    t.match((await get('/v1/admin/audit/0/proof', registrar.token)).json(), { status: 422, code: 'beyond-log' }, 'no checkpoint to default to');
  });

  // Verified against the checkpoint of each seal; the leaves are kept as an auditor would.
  const leaves: Buffer[] = [];
  let verifier: Verifier;
  /** The newest checkpoint checked so far. */
  let latest: { size: number; root: Buffer };

  await t.test('the verifier key is the deployment key, in signed-note form', async (t) => {
    const res = await get('/v1/transparency/key');
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/plain/);
    t.ok(res.body.endsWith('\n'));
    verifier = parseVerifierKey(res.body.trimEnd());
    t.equal(verifier.name, ta.auditKey.origin);
    t.same(verifier.keyId, keyIdOf(verifier.name, verifier.raw), 'key ID = SHA-256(name || "\\n" || 0x01 || key)[:4]');
    // The public half of the configured private key (PRIVATE+KEY+name+id+base64(0x01 || seed)).
    const [, name, id, seed] = /^PRIVATE\+KEY\+([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(AUDIT_SIGNING_KEY)!;
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), b64(seed!).subarray(1)]);
    const pub = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x!;
    t.same(verifier.raw, Buffer.from(pub, 'base64url'), 'the key signs with AUDIT_SIGNING_KEY');
    t.equal(verifier.name, name);
    t.equal(verifier.keyId.toString('hex'), id);
  });

  await t.test('a checkpoint after a workload: signed, and every leaf proven in it', async (t) => {
    await workload(3);
    const sealed = await ta.seal();
    const res = await get('/v1/transparency/checkpoint');
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/plain; charset=utf-8/);
    t.match(res.body, /^[^\n]+\n\d+\n[A-Za-z0-9+/]{43}=\n\n— \S+ [A-Za-z0-9+/]+=*\n$/, 'origin, size, root, a blank line, one signature line');
    const c = openCheckpoint(res.body, verifier);
    t.equal(c.origin, verifier.name, 'the origin is the key name');
    const events = await listAll(ta, registrar.token);
    t.equal(c.size, events.length, 'every event written is sealed');
    t.equal(sealed.signed, c.size);
    t.same(
      events.map((e) => e.leafIndex).sort((a, b) => a! - b!),
      events.map((_, i) => i),
      'leaf indices 0..n-1, each once',
    );
    t.equal(openNote(res.body.replace(`\n${c.size}\n`, `\n${c.size + 1}\n`), verifier), null, 'a changed size breaks the signature (the check is real)');

    const byLeaf = new Map(events.map((e) => [e.leafIndex, e]));
    let commitments = 0;
    for (let i = 0; i < c.size; i++) {
      const p = await get(`/v1/admin/audit/${i}/proof?treeSize=${c.size}`, registrar.token);
      t.equal(p.statusCode, 200);
      const body = p.json();
      const bytes = b64(body.leafBytes);
      const hash = leafHashOf(bytes);
      t.same(b64(body.leafHash), hash, `leaf ${i}: leafHash = SHA-256(0x00 || leafBytes)`);
      t.ok(verifyInclusion(i, c.size, hash, body.hashes.map(b64), c.root), `leaf ${i}: the inclusion proof verifies against the checkpoint root`);
      leaves.push(hash);

      const listed = byLeaf.get(i)!;
      t.equal(body.seq, listed.seq, `leaf ${i} is the event listed with that leafIndex`);
      const leaf = JSON.parse(bytes.toString('utf8'));
      t.equal(bytes.toString('utf8'), sortedJson(leaf), `leaf ${i}: keys sorted at every level`);
      t.match(leaf, {
        occurredAt: listed.occurredAt,
        actorType: listed.actor.type,
        actorId: listed.actor.id,
        actorRole: listed.actor.role,
        action: listed.action,
        entityType: listed.entityType,
        entityId: listed.entityId,
        requestId: listed.requestId,
      });
      const found = { n: 0 };
      t.ok(revealsCommitments(leaf.before, listed.before, found) && revealsCommitments(leaf.after, listed.after, found), `leaf ${i}: the listed event is the leaf with its personal values revealed`);
      commitments += found.n;
      if (listed.action === 'user.registered') {
        t.match(leaf.after, { email: { $commit: String }, fullName: { $commit: String } }, 'a registration commits to the email and name');
        t.match(listed.after, { email: /@example\.org$/, fullName: /^Workload Person/ });
        t.notMatch(bytes.toString('utf8'), /@example\.org|Workload Person/, 'neither is in the leaf');
      }
      if (listed.action === 'user.role_changed') t.match(listed.after, { role: 'assessor', reason: 'Joins the panel for the spring round' });
    }
    t.ok(commitments >= 7, 'personal values were committed, not written into leaves');
    t.same(mth(leaves), c.root, 'the root recomputed from the leaves (RFC 6962 MTH) is the signed one');
    const defaulted = await get('/v1/admin/audit/0/proof', registrar.token);
    t.equal(defaulted.json().treeSize, c.size, 'treeSize defaults to the newest checkpoint');
    latest = c;
  });

  await t.test('a second checkpoint is proven consistent with the first', async (t) => {
    const previous = latest;
    await workload(2);
    await ta.seal();
    const c = openCheckpoint((await get('/v1/transparency/checkpoint')).body, verifier);
    t.ok(c.size > previous.size);
    for (let i = previous.size; i < c.size; i++) {
      const body = (await get(`/v1/admin/audit/${i}/proof?treeSize=${c.size}`, registrar.token)).json();
      leaves.push(leafHashOf(b64(body.leafBytes)));
    }
    t.same(mth(leaves), c.root, 'the new root recomputed from the leaves');

    const res = await get(`/v1/transparency/consistency?from=${previous.size}&to=${c.size}`);
    t.equal(res.statusCode, 200);
    t.equal(res.json().from, previous.size);
    t.equal(res.json().to, c.size);
    const hashes = res.json().hashes.map(b64);
    t.ok(verifyConsistency(previous.size, c.size, previous.root, c.root, hashes), 'RFC 9162 2.1.4.2 accepts it with the two signed roots');
    t.notOk(verifyConsistency(previous.size, c.size, leafHashOf(Buffer.from('other')), c.root, hashes), 'and would refuse a different old root');
    t.notOk(verifyConsistency(previous.size, c.size, previous.root, c.root, hashes.slice(0, -1)), 'or a shortened proof');

    // Every size is provable, not only those signed: proofs from every m, to both checkpoints, are the RFC's.
    for (const n of [previous.size, c.size]) {
      for (let m = 0; m <= n; m++) {
        const got = (await get(`/v1/transparency/consistency?from=${m}&to=${n}`)).json().hashes.map(b64);
        t.same(got, proof(m, leaves.slice(0, n)), `PROOF(${m}, D[${n}])`);
        if (m > 0) t.ok(verifyConsistency(m, n, mth(leaves.slice(0, m)), mth(leaves.slice(0, n)), got), `verifies from ${m} to ${n}`);
      }
    }
    t.same((await get(`/v1/transparency/consistency?from=${c.size}&to=${c.size}`)).json().hashes, [], 'from = to: no hashes');
    t.same((await get(`/v1/transparency/consistency?from=0&to=${c.size}`)).json().hashes, [], 'from 0: no hashes');

    // Old leaves in the new tree, and every leaf in smaller trees, as RFC 6962 PATH says.
    for (let i = 0; i < c.size; i++) {
      const hashesNow = (await get(`/v1/admin/audit/${i}/proof?treeSize=${c.size}`, registrar.token)).json().hashes.map(b64);
      t.ok(verifyInclusion(i, c.size, leaves[i]!, hashesNow, c.root), `leaf ${i} in the tree of ${c.size}`);
      for (const n of new Set([i + 1, c.size - 1, Math.ceil((i + 1 + c.size) / 2)])) {
        if (n <= i || n > c.size) continue;
        const got = (await get(`/v1/admin/audit/${i}/proof?treeSize=${n}`, registrar.token)).json().hashes.map(b64);
        t.same(got, path(i, leaves.slice(0, n)), `PATH(${i}, D[${n}])`);
      }
    }
    t.notOk(verifyInclusion(0, c.size, leaves[1]!, path(0, leaves), c.root), 'sanity: another leaf does not verify at index 0');
    latest = c;
  });

  await t.test('bad sizes and indices', async (t) => {
    const n = latest.size;
    const backwards = await get(`/v1/transparency/consistency?from=${n}&to=${n - 1}`);
    t.equal(backwards.statusCode, 400);
    t.equal(backwards.json().errors[0].field, 'from');
    t.match((await get(`/v1/transparency/consistency?from=1&to=${n + 1}`)).json(), { status: 422, code: 'beyond-log' }, 'to beyond the log');
    for (const q of ['from=a&to=2', 'from=1&to=2.5', 'from=-1&to=2', 'from=1', 'to=2', 'from=1&to=2&x=1', 'from=1&to=1e400']) {
      const res = await get(`/v1/transparency/consistency?${q}`);
      t.equal(res.statusCode, 400, q);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
    }
    t.match((await get(`/v1/admin/audit/0/proof?treeSize=${n + 1}`, registrar.token)).json(), { status: 422, code: 'beyond-log' }, 'treeSize beyond the log');
    t.match((await get(`/v1/admin/audit/${n}/proof?treeSize=${n}`, registrar.token)).json(), { status: 422, code: 'beyond-log' }, 'leafIndex = treeSize');
    t.match((await get(`/v1/admin/audit/${n + 5}/proof`, registrar.token)).json(), { status: 422, code: 'beyond-log' }, 'leafIndex beyond the newest checkpoint');
    for (const url of ['/v1/admin/audit/x/proof', '/v1/admin/audit/-1/proof', '/v1/admin/audit/0/proof?treeSize=0', '/v1/admin/audit/0/proof?treeSize=two', '/v1/admin/audit/0/proof?size=1']) {
      t.equal((await get(url, registrar.token)).statusCode, 400, url);
    }
  });

  await t.test('the transparency endpoints are public; proofs are the registrar’s', async (t) => {
    const admin = await ta.staff('admin', 'com');
    const m = await ta.mediator();
    for (const url of ['/v1/transparency/checkpoint', '/v1/transparency/key', '/v1/transparency/consistency?from=1&to=2']) {
      t.equal((await get(url)).statusCode, 200, `anonymous: ${url}`);
      t.equal((await get(url, m.token)).statusCode, 200, `mediator: ${url}`);
    }
    const url = '/v1/admin/audit/0/proof';
    t.equal((await get(url)).statusCode, 401, 'anonymous');
    t.equal((await get(url, m.token)).statusCode, 403, 'mediator');
    t.equal((await get(url, admin.token)).statusCode, 403, 'admin');
    t.equal((await get(url, registrar.token)).statusCode, 200, 'registrar');
  });

  await t.test('an event written after a seal has no leaf until the next; /ready and /metrics say so', async (t) => {
    await ta.seal();
    const sealed = openCheckpoint((await get('/v1/transparency/checkpoint')).body, verifier).size;
    const ready = await get('/ready');
    t.same(ready.json(), { status: 'ready', auditLog: { treeSize: sealed, checkpointSize: sealed, unsealedEvents: 0, sealingLagSeconds: 0, refused: null } });

    const login = await ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: registrar.email, password: PASSWORD } });
    t.equal(login.statusCode, 200);
    const [newest] = await listAll(ta, registrar.token);
    t.match(newest, { action: 'auth.login', entityId: registrar.userId, leafIndex: null }, 'listed, not sealed yet');

    const pending = (await get('/ready')).json().auditLog;
    t.match(pending, { treeSize: sealed, checkpointSize: sealed, unsealedEvents: 1, refused: null });
    t.ok(pending.sealingLagSeconds >= 0);
    const metrics = await get('/metrics');
    t.equal(metrics.statusCode, 200);
    const sample = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics.body)?.[1]);
    t.equal(sample('send_register_audit_tree_size'), sealed);
    t.equal(sample('send_register_audit_unsealed_events'), 1);
    t.ok(sample('send_register_audit_sealing_lag_seconds') >= 0);
    t.equal(sample('send_register_audit_checkpoint_refused'), 0);

    t.match(await ta.seal(), { sealer: true, sealed: 1, signed: sealed + 1 });
    const [now] = await listAll(ta, registrar.token);
    t.equal(now!.seq, newest!.seq);
    t.equal(now!.leafIndex, sealed, 'the next leaf');
    t.same((await get('/ready')).json().auditLog, { treeSize: sealed + 1, checkpointSize: sealed + 1, unsealedEvents: 0, sealingLagSeconds: 0, refused: null });
    const p = (await get(`/v1/admin/audit/${sealed}/proof`, registrar.token)).json();
    const c = openCheckpoint((await get('/v1/transparency/checkpoint')).body, verifier);
    t.ok(verifyInclusion(sealed, c.size, leafHashOf(b64(p.leafBytes)), p.hashes.map(b64), c.root), 'proven in the new checkpoint');
  });
});
