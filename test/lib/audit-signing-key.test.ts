import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/config.ts';
import { defaultOrigin, logKey, resolveAuditSigningKey } from '../../src/lib/audit-signing-key.ts';
import { openCheckpoint, signCheckpoint } from '../../src/lib/transparency/signed-note.ts';
import { AUDIT_SIGNING_KEY } from '../helpers/app.ts';

t.test('AUDIT_SIGNING_KEY is used as given: its name is the origin', async (t) => {
  const key = resolveAuditSigningKey(loadConfig({ DATA_DIR: 'memory://', AUDIT_SIGNING_KEY }));
  t.equal(key.origin, 'test.send-register.invalid/audit');
  t.match(key.verifierKey, /^test\.send-register\.invalid\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
  const note = signCheckpoint({ origin: key.origin, size: 1, rootHash: Buffer.alloc(32, 7) }, key.origin, key.signer.privateKey);
  t.equal(openCheckpoint(note, key.verifierKey, key.origin).size, 1, 'what it signs, its verifier key opens');
});

t.test('on PGlite a key is generated once into the data directory and kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ DATA_DIR: dir, PUBLIC_URL: 'https://register.example.org' });
  const first = resolveAuditSigningKey(config);
  t.equal(first.origin, 'register.example.org/audit', 'named after PUBLIC_URL');
  const file = join(dir, 'audit-signing-key');
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by the owner only');
  t.equal(resolveAuditSigningKey(config).verifierKey, first.verifierKey, 'the same key after a restart');
  t.equal(logKey(readFileSync(file, 'utf8').trim()).verifierKey, first.verifierKey);
  t.equal(defaultOrigin({ PUBLIC_URL: undefined }), 'send-mediator-register.localhost/audit');
});

t.test('on PostgreSQL there is no default', async (t) => {
  const config = { ...loadConfig({ DATA_DIR: 'memory://' }), database: { kind: 'postgres' as const, url: 'postgres://x/y' } };
  t.throws(() => resolveAuditSigningKey(config), /AUDIT_SIGNING_KEY is required/);
});
