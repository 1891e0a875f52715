import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { newStatementKey, resolveStatementKeys } from '../../src/lib/statement-key.ts';
import { cli } from '../cli/cli-context.ts';
import { STATEMENT_SIGNING_KEY } from '../helpers/app.ts';

const given = JSON.parse(STATEMENT_SIGNING_KEY) as { kid: string; x: string; d: string };
const publicPart = (k: { kid: string; x: string }) => ({ kty: 'OKP', crv: 'Ed25519', x: k.x, kid: k.kid });

t.test('STATEMENT_SIGNING_KEY is used as given; the JWKS publishes its public part, then the retired keys', async (t) => {
  const retired = newStatementKey();
  const keys = await resolveStatementKeys(loadConfig({ DATA_DIR: 'memory://', STATEMENT_SIGNING_KEY, STATEMENT_RETIRED_KEYS: JSON.stringify([publicPart(retired)]) }));
  t.equal(keys.signing.kid, given.kid);
  t.same(keys.jwks.keys, [
    { kty: 'OKP', crv: 'Ed25519', x: given.x, kid: given.kid, alg: 'EdDSA', use: 'sig' },
    { kty: 'OKP', crv: 'Ed25519', x: retired.x, kid: retired.kid, alg: 'EdDSA', use: 'sig' },
  ]);
  t.notOk(JSON.stringify(keys.jwks).includes('"d"'), 'no private part is published');
  const jws = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'EdDSA', kid: keys.signing.kid }).sign(keys.signing.key);
  t.equal((await jwtVerify(jws, createLocalJWKSet(keys.jwks))).payload.sub, 'x', 'what it signs, the published key verifies');
});

t.test('a new key is an Ed25519 private JWK whose kid is its thumbprint', async (t) => {
  const key = newStatementKey();
  t.match(key, { kty: 'OKP', crv: 'Ed25519', x: /^[\w-]{43}$/, d: /^[\w-]{43}$/ });
  t.equal(key.kid, await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: key.x }));
  t.not(newStatementKey().kid, key.kid, 'a fresh kid each time');
  t.equal(loadConfig({ STATEMENT_SIGNING_KEY: JSON.stringify(key) }).STATEMENT_SIGNING_KEY?.kid, key.kid, 'the configuration takes it as printed');
});

t.test('statement-keygen prints a new private JWK, as STATEMENT_SIGNING_KEY takes it', async (t) => {
  const res = await cli(['statement-keygen'], {});
  t.equal(res.code, 0);
  const key = JSON.parse(res.stdout);
  t.match(key, { kty: 'OKP', crv: 'Ed25519', kid: /^[\w-]{43}$/, d: /^[\w-]{43}$/ });
  t.equal(loadConfig({ STATEMENT_SIGNING_KEY: res.stdout }).STATEMENT_SIGNING_KEY?.kid, key.kid);
  t.not(JSON.parse((await cli(['statement-keygen'], {})).stdout).kid, key.kid, 'a fresh kid each time');
});

t.test('on PGlite a key is generated once into the data directory and kept', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'statement-key-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({ DATA_DIR: dir });
  const first = await resolveStatementKeys(config);
  const file = join(dir, 'statement-signing-key.json');
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by the owner only');
  t.same((await resolveStatementKeys(config)).jwks, first.jwks, 'the same key after a restart');
  t.equal(JSON.parse(readFileSync(file, 'utf8')).kid, first.signing.kid);
  t.not((await resolveStatementKeys(loadConfig({ DATA_DIR: 'memory://' }))).signing.kid, first.signing.kid, 'memory:// keeps nothing: a key of its own');
});

t.test('on PostgreSQL there is no default', async (t) => {
  const config = { ...loadConfig({ DATA_DIR: 'memory://' }), database: { kind: 'postgres' as const, url: 'postgres://x/y' } };
  await t.rejects(resolveStatementKeys(config), /STATEMENT_SIGNING_KEY is required when DATABASE_URL is set/);
});

t.test('TTL: 30 days unless shorter', async (t) => {
  t.equal(loadConfig({}).STATEMENT_TTL_DAYS, 30);
  t.equal(loadConfig({ STATEMENT_TTL_DAYS: '7' }).STATEMENT_TTL_DAYS, 7);
  t.same(loadConfig({}).STATEMENT_RETIRED_KEYS, []);
});

t.test('a wrong key stops start-up with a message naming the setting', async (t) => {
  const other = newStatementKey();
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ STATEMENT_SIGNING_KEY: 'not json' }, /STATEMENT_SIGNING_KEY: must be JSON: an Ed25519 private JWK/],
    [{ STATEMENT_SIGNING_KEY: JSON.stringify({ ...given, crv: 'P-256' }) }, /STATEMENT_SIGNING_KEY\.crv: must be "Ed25519"/],
    [{ STATEMENT_SIGNING_KEY: JSON.stringify({ ...given, kid: undefined }) }, /STATEMENT_SIGNING_KEY\.kid/],
    [{ STATEMENT_SIGNING_KEY: JSON.stringify({ ...given, d: undefined }) }, /STATEMENT_SIGNING_KEY\.d/],
    [{ STATEMENT_SIGNING_KEY: JSON.stringify({ ...given, x: other.x }) }, /STATEMENT_SIGNING_KEY\.x: x is not the public key of d/],
    [{ STATEMENT_RETIRED_KEYS: JSON.stringify(publicPart(other)) }, /STATEMENT_RETIRED_KEYS: .*expected array/],
    [{ STATEMENT_RETIRED_KEYS: JSON.stringify([other]) }, /STATEMENT_RETIRED_KEYS\.0\.d: must be a public key/],
    [{ STATEMENT_SIGNING_KEY, STATEMENT_RETIRED_KEYS: JSON.stringify([publicPart(given)]) }, /STATEMENT_RETIRED_KEYS: every key needs a kid of its own/],
    [{ STATEMENT_TTL_DAYS: '31' }, /STATEMENT_TTL_DAYS/],
    [{ STATEMENT_TTL_DAYS: '0' }, /STATEMENT_TTL_DAYS/],
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), ConfigError);
    t.throws(() => loadConfig(env), { message }, JSON.stringify(env).slice(0, 80));
  }
});
