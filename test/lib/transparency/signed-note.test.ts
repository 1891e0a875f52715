import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import {
  formatCheckpoint,
  formatSignerKey,
  formatVerifierKey,
  generateKey,
  keyId,
  openCheckpoint,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  rawPublicKey,
  sign,
  signCheckpoint,
  verify,
} from '../../../src/lib/transparency/signed-note.ts';

// Published vectors. golang.org/x/mod sumdb/note (example_test.go, note_test.go):
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
// C2SP signed-note.md, "Example":
const C2SP_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE = 'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
// A checkpoint published by sum.golang.org (a /lookup response, as quoted in public write-ups), and the
// Go checksum database's verifier key (golang.org/x/mod gosumcheck, built into the go command).
const SUMDB_VKEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const SUMDB_NOTE =
  'go.sum database tree\n3784599\n7uvxIZ67TZygcq/AehTD8iHYt81Ih+Zl2Y7vXZbfszQ=\n\n— sum.golang.org Az3grn972wXskjQrsZhVGc93fTU2uOsmSTiId1Wn1lxDCup5z4ggl1/4gaUqOkMa6cMbYvjB7hn7yemNr7Zqanol/go=\n';

t.test('known answer: signing with the sumdb/note test key gives the published note, byte for byte', async (t) => {
  const signer = parseSignerKey(PETER_SKEY);
  t.equal(signer.name, 'PeterNeumann');
  t.equal(signer.keyId.toString('hex'), 'c74f20a3');
  t.equal(formatVerifierKey(signer.name, signer.privateKey), PETER_VKEY);
  t.equal(formatSignerKey(signer.name, signer.privateKey), PETER_SKEY);
  t.equal(sign(TEXT, signer.name, signer.privateKey), `${TEXT}\n${PETER_SIG}`);
  const v = parseVerifierKey(PETER_VKEY);
  t.equal(keyId(v.name, rawPublicKey(v.publicKey)).toString('hex'), 'c74f20a3');
});

t.test('known answer: the published notes verify', async (t) => {
  t.equal(verify(`${TEXT}\n${PETER_SIG}`, PETER_VKEY), TEXT);
  t.equal(verify(C2SP_NOTE, C2SP_VKEY), 'This is an example message.\n');
  t.equal(verify(SUMDB_NOTE, SUMDB_VKEY), 'go.sum database tree\n3784599\n7uvxIZ67TZygcq/AehTD8iHYt81Ih+Zl2Y7vXZbfszQ=\n');
  const cp = openCheckpoint(SUMDB_NOTE, SUMDB_VKEY, 'go.sum database tree');
  t.equal(cp.size, 3784599);
  t.equal(cp.rootHash.toString('base64'), '7uvxIZ67TZygcq/AehTD8iHYt81Ih+Zl2Y7vXZbfszQ=');
  // Other keys' signatures are skipped (cosigners), in any order; ours must be there.
  t.equal(verify(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, PETER_VKEY), TEXT);
  t.equal(verify(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, ENOCH_VKEY), TEXT);
  t.equal(verify(`${TEXT}\n${ENOCH_SIG}${PETER_SIG}`, PETER_VKEY), TEXT);
  t.throws(() => verify(`${TEXT}\n${ENOCH_SIG}`, PETER_VKEY), /not signed by the trusted key/);
});

t.test('tampered notes, signatures and keys are refused', async (t) => {
  const good = `${TEXT}\n${PETER_SIG}`;
  const refused = {
    'body changed': good.replace('problem,', 'problem;'),
    'line added to the body': `extra\n${good}`,
    'signature byte changed': `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`,
    'signature truncated': `${TEXT}\n${PETER_SIG.slice(0, -6)}=\n`,
    'no blank line': `${TEXT}${PETER_SIG}`,
    'no final newline': `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
    'no signature': `${TEXT}\n`,
    'text only': TEXT,
    'control character': `\x01${good}`,
    'unexpected line after signatures': `${good}Unexpected line.\n`,
    'bad key name': `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
    'too many signatures': `${TEXT}\n${PETER_SIG.repeat(101)}`,
    'checkpoint with a different size': SUMDB_NOTE.replace('3784599', '3784600'),
    'checkpoint with a different root': SUMDB_NOTE.replace('7uvx', '7uvy'),
  };
  for (const [what, note] of Object.entries(refused)) t.throws(() => verify(note, what.startsWith('checkpoint') ? SUMDB_VKEY : PETER_VKEY), what);
  t.throws(() => verify(good, ENOCH_VKEY), 'another key');
  t.throws(() => verify(C2SP_NOTE, PETER_VKEY), 'another key and name');
  const { privateKey } = generateKeyPairSync('ed25519');
  t.throws(() => verify(good, formatVerifierKey('PeterNeumann', privateKey)), 'same name, other key');
  // A key with our name and ID but a different key is refused when the key text is read.
  t.throws(() => parseVerifierKey(`PeterNeumann+c74f20a3+${formatVerifierKey('PeterNeumann', privateKey).split('+').slice(2).join('+')}`), /key ID/);
});

t.test('verifier and signer key texts: manglings are refused', async (t) => {
  const bad = [
    '',
    'PeterNeumann',
    'PeterNeumann+c74f20a3',
    'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T',
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+extra',
    'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==', // wrong length key (Go's test)
    'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // unknown algorithm (Go's test)
  ];
  for (const k of bad) t.throws(() => parseVerifierKey(k), k);
  for (let i = 0; i < PETER_VKEY.length; i++) {
    const k = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
    t.throws(() => parseVerifierKey(k), `byte ${i} changed`);
  }
  t.throws(() => parseSignerKey(PETER_VKEY));
  t.throws(() => parseSignerKey(PETER_SKEY.replace('c74f20a3', 'c74f20a4')));
  t.throws(() => parseSignerKey(PETER_SKEY.slice(0, -1)));
});

t.test('round trip: a fresh key signs a checkpoint that opens with its verifier key', async (t) => {
  const { signerKey, verifierKey } = generateKey('mediators.example/audit');
  const signer = parseSignerKey(signerKey);
  t.equal(formatVerifierKey(signer.name, signer.privateKey), verifierKey);
  const checkpoint = { origin: 'mediators.example/audit', size: 12345, rootHash: Buffer.alloc(32, 7) };
  const note = signCheckpoint(checkpoint, signer.name, signer.privateKey);
  t.match(note, /^mediators\.example\/audit\n12345\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n— mediators\.example\/audit [A-Za-z0-9+/]{91}=\n$/);
  t.same(openCheckpoint(note, verifierKey, 'mediators.example/audit'), { ...checkpoint, extensions: [] });
  t.throws(() => openCheckpoint(note, verifierKey, 'another.example/log'), /origin/);
  t.throws(() => openCheckpoint(note, PETER_VKEY));
  t.throws(() => verify(note.replace('12345', '12344'), verifierKey));
  // A witness cosignature appended later is ignored.
  const witness = generateKey('witness.example');
  const cosigned = `${note}${sign(formatCheckpoint(checkpoint), 'witness.example', parseSignerKey(witness.signerKey).privateKey).split('\n\n')[1]}`;
  t.same(openCheckpoint(cosigned, verifierKey).size, 12345);
  t.same(openCheckpoint(cosigned, witness.verifierKey).size, 12345);
});

t.test('checkpoint bodies: the tlog-checkpoint format', async (t) => {
  // golang.org/x/mod sumdb/tlog note_test.go golden tree.
  const golden = 'go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n';
  const cp = parseCheckpoint(golden);
  t.equal(cp.origin, 'go.sum database tree');
  t.equal(cp.size, 123456789012);
  t.equal(formatCheckpoint(cp), golden);
  const ext = `${golden}ext one\next two\n`;
  t.same(parseCheckpoint(ext).extensions, ['ext one', 'ext two']);
  t.equal(formatCheckpoint(parseCheckpoint(ext)), ext);
  t.equal(parseCheckpoint('log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n').size, 0);
  const bad = {
    'no final newline': golden.slice(0, -1),
    'hex size': golden.replace('123456789012', '0xabcdef'),
    'leading zero': golden.replace('123456789012', '0123456789012'),
    'negative size': golden.replace('123456789012', '-1'),
    'root too long': golden.replace('Bb0=', 'BTOOBIG='),
    'root not base64': golden.replace('Tszz', 'T*zz'),
    'missing root': 'go.sum database tree\n123456789012\n',
    'empty origin': `\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n`,
    'empty extension line': `${golden}\n`,
  };
  for (const [what, body] of Object.entries(bad)) t.throws(() => parseCheckpoint(body), what);
  t.throws(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: Buffer.alloc(32) }));
  t.throws(() => formatCheckpoint({ origin: 'a', size: -1, rootHash: Buffer.alloc(32) }));
  t.throws(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: Buffer.alloc(31) }));
  t.throws(() => sign('no newline', 'name', parseSignerKey(PETER_SKEY).privateKey));
  t.throws(() => sign(TEXT, 'bad+name', parseSignerKey(PETER_SKEY).privateKey));
});
