/**
 * C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures, and the tlog-checkpoint body
 * (c2sp.org/tlog-checkpoint) they carry. Byte-compatible with golang.org/x/mod/sumdb/note, so the
 * Go tooling (and any checkpoint witness) can check our checkpoints and keys.
 *
 *   note     = text "\n" sigline+        text ends in "\n"; the blank line before the signatures
 *   sigline  = "— " name " " base64(keyID(4) || ed25519 signature(64)) "\n"
 *   keyID    = SHA-256(name || "\n" || 0x01 || public key(32))[:4]
 *   vkey     = name "+" hex8(keyID) "+" base64(0x01 || public key)
 *   skey     = "PRIVATE+KEY+" name "+" hex8(keyID) "+" base64(0x01 || seed(32))   (Go's signer key text)
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '— ';
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_SIGNATURES = 100;

export class NoteError extends Error {
  override name = 'NoteError';
}

/** Key names: non-empty, no Unicode spaces, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s+]/u.test(name) && !hasForbiddenChars(name);
}

/** Notes are UTF-8 (no lone surrogates) with no ASCII control characters but newline. */
function hasForbiddenChars(text: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f]|\p{Cs}/u.test(text);
}

/** The 32-byte Ed25519 public key of a KeyObject (public or private). */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new NoteError('not an Ed25519 key');
  return pub.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new NoteError('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new NoteError('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** SHA-256(name || "\n" || 0x01 || public key)[:4], as a 4-byte buffer. */
export function keyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(name)
    .update('\n')
    .update(Buffer.from([ALG_ED25519]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** The verifier key text `name+hex8(keyID)+base64(0x01 || public key)`. */
export function formatVerifierKey(name: string, key: KeyObject): string {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const pub = rawPublicKey(key);
  return `${name}+${keyId(name, pub).toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), pub]).toString('base64')}`;
}

export interface VerifierKey {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (Node's decoder accepts anything). */
function decodeBase64(text: string): Buffer | undefined {
  if (!B64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

function parseKeyParts(name: string, hex: string, b64: string, what: string): { id: Buffer; key: Buffer } {
  const material = decodeBase64(b64);
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(hex) || !material || material.length === 0) throw new NoteError(`malformed ${what}`);
  if (material[0] !== ALG_ED25519) throw new NoteError(`${what}: unknown signature algorithm ${material[0]}`);
  if (material.length !== 33) throw new NoteError(`${what}: an Ed25519 key is 32 bytes`);
  return { id: Buffer.from(hex, 'hex'), key: material.subarray(1) };
}

/** `name+hash+base64`: the base64 may itself contain '+', so split at the first two only (as Go does). */
function splitKeyText(text: string, what: string): [name: string, hex: string, b64: string] {
  const m = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(text);
  if (!m) throw new NoteError(`malformed ${what}`);
  return [m[1]!, m[2]!, m[3]!];
}

export function parseVerifierKey(text: string): VerifierKey {
  const [name, hex, b64] = splitKeyText(text, 'verifier key');
  const { id, key } = parseKeyParts(name, hex, b64, 'verifier key');
  if (!keyId(name, key).equals(id)) throw new NoteError('verifier key: key ID does not match the key');
  return { name, keyId: id, publicKey: publicKeyFromRaw(key) };
}

export interface SignerKey {
  name: string;
  keyId: Buffer;
  privateKey: KeyObject;
}

/** Go's signer key text `PRIVATE+KEY+name+hex8(keyID)+base64(0x01 || seed)`: one string for `AUDIT_SIGNING_KEY`. */
export function parseSignerKey(text: string): SignerKey {
  if (!text.startsWith('PRIVATE+KEY+')) throw new NoteError('malformed signer key');
  const [name, hex, b64] = splitKeyText(text.slice('PRIVATE+KEY+'.length), 'signer key');
  const { id, key: seed } = parseKeyParts(name, hex, b64, 'signer key');
  const privateKey = privateKeyFromSeed(seed);
  if (!keyId(name, rawPublicKey(privateKey)).equals(id)) throw new NoteError('signer key: key ID does not match the key');
  return { name, keyId: id, privateKey };
}

export function formatSignerKey(name: string, privateKey: KeyObject): string {
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  if (privateKey.asymmetricKeyType !== 'ed25519' || der.length !== 48) throw new NoteError('not an Ed25519 private key');
  const seed = der.subarray(PKCS8_ED25519_PREFIX.length);
  return `PRIVATE+KEY+${name}+${keyId(name, rawPublicKey(privateKey)).toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64')}`;
}

/** A fresh key pair in both text forms (the signer key stays with the operator; the verifier key is public). */
export function generateKey(name: string): { signerKey: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { signerKey: formatSignerKey(name, privateKey), verifierKey: formatVerifierKey(name, privateKey) };
}

/** Signs `text` (ending in "\n") as a note with one Ed25519 signature line. */
export function sign(text: string, name: string, privateKey: KeyObject): string {
  if (!text.endsWith('\n')) throw new NoteError('note text must end with a newline');
  if (hasForbiddenChars(text)) throw new NoteError('note text has control characters');
  if (!isValidKeyName(name)) throw new NoteError(`invalid key name ${JSON.stringify(name)}`);
  const sig = edSign(null, Buffer.from(text, 'utf8'), privateKey);
  const id = keyId(name, rawPublicKey(privateKey));
  return `${text}\n${SIG_PREFIX}${name} ${Buffer.concat([id, sig]).toString('base64')}\n`;
}

/**
 * Opens a signed note with one trusted verifier key: returns the note text when a signature by that
 * key verifies. Signatures by other keys are ignored (witness cosignatures, rotated keys); a
 * signature that claims to be ours and does not verify rejects the note, as does a malformed note.
 */
export function verify(note: string, verifierKey: string | VerifierKey): string {
  const key = typeof verifierKey === 'string' ? parseVerifierKey(verifierKey) : verifierKey;
  if (hasForbiddenChars(note)) throw new NoteError('malformed note: control characters');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed note: no signatures');
  const text = note.slice(0, split + 1);
  const sigBlock = note.slice(split + 2);
  if (sigBlock === '' || !sigBlock.endsWith('\n')) throw new NoteError('malformed note: signatures must end with a newline');
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError('malformed note: too many signatures');
  let verified = false;
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError('malformed note: bad signature line');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const sig = decodeBase64(b64);
    if (!isValidKeyName(name) || !sig || sig.length < 5) throw new NoteError('malformed note: bad signature line');
    if (name !== key.name || !sig.subarray(0, 4).equals(key.keyId)) continue;
    if (!edVerify(null, Buffer.from(text, 'utf8'), key.publicKey, sig.subarray(4))) throw new NoteError(`invalid signature by ${name}`);
    verified = true;
  }
  if (!verified) throw new NoteError('note is not signed by the trusted key');
  return text;
}

export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** Opaque extension lines (not recommended by the spec; kept for round trips). */
  extensions?: string[];
}

/** The tlog-checkpoint note text: origin, decimal size, base64 root hash, extension lines, each ending "\n". */
export function formatCheckpoint({ origin, size, rootHash, extensions = [] }: Checkpoint): string {
  if (origin === '' || origin.includes('\n')) throw new NoteError('checkpoint origin must be one non-empty line');
  if (!Number.isSafeInteger(size) || size < 0) throw new NoteError('checkpoint size must be a non-negative integer');
  if (rootHash.length !== 32) throw new NoteError('checkpoint root hash must be 32 bytes');
  if (extensions.some((l) => l === '' || l.includes('\n'))) throw new NoteError('checkpoint extension lines must be non-empty lines');
  return [origin, String(size), rootHash.toString('base64'), ...extensions].map((l) => `${l}\n`).join('');
}

export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new NoteError('malformed checkpoint: must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (!origin || sizeText === undefined || rootText === undefined) throw new NoteError('malformed checkpoint: needs origin, size and root hash');
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new NoteError('malformed checkpoint: bad tree size');
  const rootHash = decodeBase64(rootText);
  if (rootHash?.length !== 32) throw new NoteError('malformed checkpoint: bad root hash');
  if (extensions.some((l) => l === '')) throw new NoteError('malformed checkpoint: empty extension line');
  return { origin, size: Number(sizeText), rootHash, extensions };
}

/** Signs a checkpoint as a note (the key name should be the origin). */
export function signCheckpoint(checkpoint: Checkpoint, name: string, privateKey: KeyObject): string {
  return sign(formatCheckpoint(checkpoint), name, privateKey);
}

/** Verifies a checkpoint note with the log's verifier key and parses its body; the origin must be `expectedOrigin` when given. */
export function openCheckpoint(note: string, verifierKey: string | VerifierKey, expectedOrigin?: string): Checkpoint {
  const checkpoint = parseCheckpoint(verify(note, verifierKey));
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin)
    throw new NoteError(`checkpoint origin is ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(expectedOrigin)}`);
  return checkpoint;
}
