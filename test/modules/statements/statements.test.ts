import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import t from 'tap';
import { buildApp } from '../../../src/app.ts';
import { newStatementKey } from '../../../src/lib/statement-key.ts';
import { writeStatuses } from '../../../src/modules/register-entries/register-entries-repository.ts';
import { buildTestApp, eachDatabase, JWT_SECRET, STATEMENT_SIGNING_KEY, testConfig, type TestApp } from '../../helpers/app.ts';
import { insertEntries } from '../../helpers/entries.ts';

const ISSUER = 'https://register.example.org';
const DAY = 86_400;
const signingKid = JSON.parse(STATEMENT_SIGNING_KEY).kid as string;

/**
 * What a third party does, with `jose` alone: the published keys, the register's issuer, EdDSA, and
 * the statement type. Rejects on any failure.
 */
async function verifyWithJose(statement: string, jwks: JSONWebKeySet, now: Date) {
  return jwtVerify(statement, createLocalJWKSet(jwks), { issuer: ISSUER, algorithms: ['EdDSA'], typ: 'register-statement+jwt', currentDate: now });
}

/** The documented recipe: SHA-256 over the history items as JSON with sorted keys and no spaces, base64url, prefixed. */
function digestOf(items: Array<Record<string, unknown>>) {
  const canonical = JSON.stringify(items.map((item) => Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1)))));
  return `sha-256:${createHash('sha256').update(canonical).digest('base64url')}`;
}

/** Changes one character of a base64url part (to another base64url character). */
const flip = (part: string, at: number) => `${part.slice(0, at)}${part[at] === 'A' ? 'B' : 'A'}${part.slice(at + 1)}`;

/** Another instance of the register on the same database, configured as a key rotation leaves it. */
async function instance(t: Parameters<Parameters<typeof eachDatabase>[1]>[0], ta: TestApp, env: Record<string, string>): Promise<FastifyInstance> {
  const app = await buildApp(testConfig({ PUBLIC_URL: ISSUER, ...env }), { database: ta.database, jwtSecret: JWT_SECRET, clock: ta.clock, auditKey: ta.auditKey });
  t.teardown(() => app.close());
  return app;
}

const verifyPage = async (app: FastifyInstance, statement: string) => {
  const res = await app.inject({ method: 'POST', url: '/verify', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ statement }).toString() });
  return { status: res.statusCode, html: res.body };
};
const heading = (html: string) => /<h2 id="result-heading">([^<]*)<\/h2>/.exec(html)?.[1];

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { env: { PUBLIC_URL: ISSUER } });
  const get = (url: string) => ta.request({ method: 'GET', url });
  const [zoe, lapsed, removed] = await insertEntries(ta.database.db, [
    { fullName: 'Zoë Ellis', body: 'com', organisation: 'Ellis Mediation' },
    { fullName: 'Sam Lapsed', body: 'cmc', status: 'lapsed' },
    { fullName: 'Sam Removed', status: 'removed' },
  ]);
  const jwks = (await get('/.well-known/jwks.json')).json() as JSONWebKeySet;

  await t.test('the JWKS: the signing key, public only, briefly cacheable', async (t) => {
    const res = await get('/.well-known/jwks.json');
    t.equal(res.statusCode, 200);
    t.match(res.headers['cache-control'], /^public, max-age=300$/);
    t.same(
      res.json().keys.map((k: Record<string, string>) => Object.keys(k).sort()),
      [['alg', 'crv', 'kid', 'kty', 'use', 'x']],
    );
    t.match(res.json().keys[0], { kid: signingKid, alg: 'EdDSA', use: 'sig', kty: 'OKP', crv: 'Ed25519' });
  });

  await t.test('a statement verified with jose alone: header and claims', async (t) => {
    const res = await get(`/v1/register/${zoe}/statement`);
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^application\/jose/);
    t.equal(res.headers['cache-control'], 'no-store');
    const statement = res.body;
    t.match(statement, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact JWS');
    const { payload, protectedHeader } = await verifyWithJose(statement, jwks, ta.clock());
    t.same(protectedHeader, { alg: 'EdDSA', kid: signingKid, typ: 'register-statement+jwt' });
    const entry = (await get(`/v1/register/${zoe}`)).json();
    const iat = Math.floor(ta.clock().getTime() / 1000);
    t.same(payload, {
      iss: ISSUER,
      sub: zoe,
      iat,
      exp: iat + 30 * DAY,
      status: 'accredited',
      statusSince: '2019-06-01',
      fullName: 'Zoë Ellis',
      body: 'com',
      membershipNumber: entry.membershipNumber,
      historyDigest: digestOf((await get(`/v1/register/${zoe}/history`)).json().items),
    });
    t.ok(payload.exp! - payload.iat! <= 30 * DAY, 'valid for at most 30 days');
  });

  await t.test('a lapsed entry gets a statement that says so', async (t) => {
    const { payload } = await verifyWithJose((await get(`/v1/register/${lapsed}/statement`)).body, jwks, ta.clock());
    t.match(payload, { sub: lapsed, status: 'lapsed', statusSince: '2024-01-10', fullName: 'Sam Lapsed', body: 'cmc' });
    t.equal(payload.historyDigest, digestOf((await get(`/v1/register/${lapsed}/history`)).json().items), 'the digest covers the whole public history');
  });

  await t.test('refused after tampering, and once expired', async (t) => {
    const [header, payload, signature] = (await get(`/v1/register/${zoe}/statement`)).body.split('.') as [string, string, string];
    await t.rejects(verifyWithJose(`${header}.${flip(payload, 20)}.${signature}`, jwks, ta.clock()), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, 'a payload character changed');
    await t.rejects(verifyWithJose(`${header}.${payload}.${flip(signature, 5)}`, jwks, ta.clock()), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, 'a signature character changed');
    const later = new Date(ta.clock().getTime() + (30 * DAY + 1) * 1000);
    await t.rejects(verifyWithJose(`${header}.${payload}.${signature}`, jwks, later), { code: 'ERR_JWT_EXPIRED' }, 'expired after 30 days');
  });

  await t.test('key rotation: an old statement verifies while its key is retired but published, not after', async (t) => {
    const statement = (await get(`/v1/register/${zoe}/statement`)).body;
    const next = newStatementKey();
    const oldPublic = jwks.keys[0]!;
    const rotated = await instance(t, ta, {
      STATEMENT_SIGNING_KEY: JSON.stringify(next),
      STATEMENT_RETIRED_KEYS: JSON.stringify([{ kty: 'OKP', crv: 'Ed25519', x: oldPublic.x, kid: oldPublic.kid }]),
    });
    const rotatedJwks = (await rotated.inject({ url: '/.well-known/jwks.json' })).json() as JSONWebKeySet;
    t.same(
      rotatedJwks.keys.map((k) => k.kid),
      [next.kid, signingKid],
      'the new key first, the old one still published',
    );
    t.equal((await verifyWithJose(statement, rotatedJwks, ta.clock())).payload.sub, zoe, 'the old statement still verifies');
    const fresh = (await rotated.inject({ url: `/v1/register/${zoe}/statement` })).body;
    t.equal(decodeProtectedHeader(fresh).kid, next.kid, 'new statements are signed with the new key');
    t.equal((await verifyWithJose(fresh, rotatedJwks, ta.clock())).payload.sub, zoe);
    t.equal(heading((await verifyPage(rotated, statement)).html), 'This statement is genuine and current', 'the verify page agrees');

    const dropped = await instance(t, ta, { STATEMENT_SIGNING_KEY: JSON.stringify(next) });
    const droppedJwks = (await dropped.inject({ url: '/.well-known/jwks.json' })).json() as JSONWebKeySet;
    t.same(
      droppedJwks.keys.map((k) => k.kid),
      [next.kid],
    );
    await t.rejects(verifyWithJose(statement, droppedJwks, ta.clock()), { code: 'ERR_JWKS_NO_MATCHING_KEY' }, 'signed by a key no longer published: refused');
    t.equal(heading((await verifyPage(dropped, statement)).html), 'This statement cannot be checked');
  });

  await t.test('the verify page', async (t) => {
    const form = await get('/verify');
    t.equal(form.statusCode, 200);
    t.match(form.headers['content-type'], /^text\/html/);
    t.match(form.body, /<textarea id="statement" name="statement"/);
    t.notMatch(form.body, /<script/, 'no JavaScript');

    const statement = (await get(`/v1/register/${zoe}/statement`)).body;
    const genuine = await verifyPage(ta.app, `  ${statement.slice(0, 40)}\n${statement.slice(40)}\n`);
    t.equal(genuine.status, 200);
    t.equal(heading(genuine.html), 'This statement is genuine and current', 'line breaks and spaces from pasting are ignored');
    t.match(genuine.html, /Zoë Ellis/);
    t.match(genuine.html, /College of Mediators/);
    t.match(genuine.html, /Accredited since 1 June 2019/);
    t.match(genuine.html, /The register shows the same status today\./);
    t.match(genuine.html, /2 June 2025 at 11:00/, 'issued, London time');
    t.match(genuine.html, /2 July 2025 at 11:00/, 'expires');

    const byGet = await get(`/verify?statement=${encodeURIComponent(statement)}`);
    t.equal(heading(byGet.body), 'This statement is genuine and current', 'GET ?statement= checks it too');
    t.equal(byGet.headers['cache-control'], 'no-store');

    const [header, payload, signature] = statement.split('.') as [string, string, string];
    t.equal(heading((await verifyPage(ta.app, `${header}.${flip(payload, 20)}.${signature}`)).html), 'This statement has been changed');
    t.equal(heading((await verifyPage(ta.app, `${header}.${payload}.${flip(signature, 5)}`)).html), 'This statement has been changed');
    t.equal(heading((await verifyPage(ta.app, 'not a statement')).html), 'This is not a status statement');
    t.equal(heading((await verifyPage(ta.app, `${header}.${payload}`)).html), 'This is not a status statement', 'a part missing');

    const empty = await verifyPage(ta.app, '   ');
    t.equal(empty.status, 400);
    t.match(empty.html, /Paste a statement to check/);

    // The page explains, never a JSON 400: a link with the field twice, or a paste far longer than any statement.
    const twice = await get(`/verify?statement=${encodeURIComponent(statement)}&statement=x`);
    t.equal(twice.statusCode, 200);
    t.match(twice.headers['content-type'], /^text\/html/);
    t.equal(heading(twice.body), 'This statement is genuine and current', 'the first of a repeated field is checked');
    const long = await verifyPage(ta.app, 'x'.repeat(20_001));
    t.equal(long.status, 400);
    t.match(long.html, /too long to be a statement/);
    t.notMatch(long.html, /x{20001}/, 'the text is not shown back in full');

    const elsewhere = await instance(t, ta, { PUBLIC_URL: 'https://other.example.org' });
    const foreign = (await elsewhere.inject({ url: `/v1/register/${zoe}/statement` })).body;
    t.equal(heading((await verifyPage(ta.app, foreign)).html), 'This statement is from another register', 'same key, another issuer');

    ta.clock.advanceDays(31);
    const expired = await verifyPage(ta.app, statement);
    t.equal(heading(expired.html), 'This statement is genuine but has expired');
    t.match(expired.html, /Zoë Ellis/, 'and still says what it stated');
    ta.clock.advanceDays(-31);
  });

  await t.test('the verify page compares with the register today', async (t) => {
    const statement = (await get(`/v1/register/${zoe}/statement`)).body;
    await writeStatuses(ta.database.db, [{ id: zoe!, from: 'accredited', to: 'suspended', reason: 'test', at: new Date('2025-06-01T09:00:00Z') }], { userId: null, role: 'registrar' }, ta.clock());
    const res = await verifyPage(ta.app, statement);
    t.equal(heading(res.html), 'This statement is genuine and current');
    t.match(res.html, /The register’s status has changed since: today it shows Suspended since 1 June 2025\./);
  });

  await t.test('the OpenAPI examples: a statement the example key set verifies, stating the example claims', async (t) => {
    const doc = (await get('/openapi.json')).json();
    const operation = doc.paths['/v1/register/{id}/statement'].get;
    t.same(operation.tags, ['public register']);
    const example = operation.responses['200'].content['application/jose'].schema.example as string;
    const keySet = doc.components.schemas.StatementKeySet.examples[0] as JSONWebKeySet;
    const { payload } = await jwtVerify(example, createLocalJWKSet(keySet), {
      issuer: 'https://register.example.org',
      algorithms: ['EdDSA'],
      typ: 'register-statement+jwt',
      currentDate: new Date('2025-12-03T00:00:00Z'),
    });
    t.same(payload, doc.components.schemas.StatementClaims.examples[0]);
  });

  await t.test('same visibility as the entry: 400, 404, 410', async (t) => {
    t.equal((await get('/v1/register/not-a-uuid/statement')).statusCode, 400);
    const never = await get('/v1/register/00000000-0000-4000-8000-000000000000/statement');
    t.equal(never.statusCode, 404);
    t.match(never.headers['content-type'], /^application\/problem\+json/);
    t.equal((await get(`/v1/register/${removed}/statement`)).statusCode, 200, 'a removed entry still in public view');
    ta.clock.set('2031-01-01T12:00:00Z');
    t.equal((await get(`/v1/register/${removed}`)).statusCode, 410, 'the entry is gone from public view');
    const gone = await get(`/v1/register/${removed}/statement`);
    t.equal(gone.statusCode, 410);
    t.notMatch(gone.body, /Sam Removed/);
  });
});
