import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import t from 'tap';
import type { Role } from '../../src/domain/vocabulary.ts';
import { registerAccessControl, type Access } from '../../src/plugins/access.ts';
import { feedCursorAt } from '../../src/modules/register/register-feed.ts';
import { RoleSchema } from '../../schemas/common.ts';
import { buildTestApp, eachDatabase } from '../helpers/app.ts';
import { accredit } from '../helpers/compliance.ts';
import { createActors, documentsJson, endsOwnSessions, fillPath, fingerprinter, renewToken, responseProblems, type Actors } from '../helpers/fuzz-harness.ts';

type Who = 'anonymous' | 'forged' | keyof Actors;
const EVERYONE: Who[] = ['anonymous', 'forged', 'mediator', 'otherMediator', 'assessor', 'adminCom', 'adminCmc', 'registrar'];
const ROLE_OF: Record<keyof Actors, Role> = { mediator: 'mediator', otherMediator: 'mediator', assessor: 'assessor', adminCom: 'admin', adminCmc: 'admin', registrar: 'registrar' };
const KNOWN_ROLES = new Set<string>(RoleSchema.options);

const isValidAccess = (access: unknown): access is Access =>
  access === 'public' || access === 'authenticated' || (Array.isArray(access) && access.length > 0 && access.every((r) => KNOWN_ROLES.has(r)));

/** What the route's declaration says this caller must get before anything else happens. */
function expectedDenial(access: Access, who: Who): 401 | 403 | null {
  if (access === 'public') return null;
  if (who === 'anonymous' || who === 'forged') return 401;
  if (access === 'authenticated') return null;
  return access.includes(ROLE_OF[who]) ? null : 403;
}

t.test('a route that does not declare who may call it is refused at start-up', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await t.rejects(async () => {
    await app.register(async (api) => {
      registerAccessControl(api, [], { current: async () => null });
      api.get('/undeclared', async () => 'no');
    });
  }, /GET \/undeclared does not declare config\.access/);
});

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000' } });
  const actors = await createActors(ta);
  // Objects owned by someone else: the mediator's entry on the register (College of Mediators) and
  // the other mediator's draft application.
  await accredit(ta, actors.mediator.mediatorId, { body: 'com', route: 'grandfathered_2018', firstAccreditedOn: '2019-05-01', complianceStartOn: '2025-04-01' });
  const application = (await ta.request({ method: 'POST', url: '/v1/applications', token: actors.otherMediator.token })).json().id as string;
  const fingerprint = await fingerprinter(ta.database.db);
  const forged = (await ta.app.jwt.sign({ sub: actors.registrar.userId, role: 'registrar', body: null, ver: 1 })).replace(/\.[^.]+$/, '.c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ');
  const tokenOf = (who: Who) => (who === 'anonymous' ? undefined : who === 'forged' ? forged : actors[who].token);
  const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();

  await t.test('every route declares a valid access; every non-public one is documented as needing a token', async (t) => {
    t.ok(ta.app.routeTable.length >= 10, `${ta.app.routeTable.length} routes`);
    for (const r of ta.app.routeTable) {
      t.ok(isValidAccess(r.access), `${r.method} ${r.url}: ${JSON.stringify(r.access)}`);
      const op = doc.paths[r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method.toLowerCase()];
      if (r.access !== 'public' && op) t.same(op.security, [{ bearerAuth: [] }], `${r.method} ${r.url} documents bearerAuth`);
    }
  });

  await t.test('every role on every route, against objects owned by others', async (t) => {
    const ids = [actors.mediator.mediatorId, actors.mediator.userId, application, randomUUID()];
    let tried = 0;
    for (const route of ta.app.routeTable) {
      const op = doc.paths[route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      const urls = route.url.includes(':') ? ids.map((id) => fillPath(route.url, new Proxy({}, { get: () => id }))) : [route.url];
      for (const who of EVERYONE) {
        for (const url of urls) {
          const before = await fingerprint();
          const res = await ta.request({ method: route.method as 'GET', url, token: tokenOf(who) });
          tried++;
          const denial = expectedDenial(route.access, who);
          const problems = responseProblems(res, { answersJson: !op || documentsJson(op) });
          if (denial !== null && res.statusCode !== denial) problems.push(`expected ${denial}, got ${res.statusCode}`);
          if (denial !== null || res.statusCode >= 400) {
            const after = await fingerprint();
            const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
            if (changed.length) problems.push(`changed ${changed.join(', ')}`);
          }
          if (problems.length) t.fail(`${who} ${route.method} ${url}: ${problems.join('; ')}`);
          // Signing out everywhere worked: the rest of the matrix needs the actor signed in.
          if (who !== 'anonymous' && who !== 'forged' && res.statusCode < 300 && endsOwnSessions(route.method, route.url)) await renewToken(ta, actors[who]);
        }
      }
    }
    t.pass(`${tried} requests kept the matrix`);
  });

  await t.test('object-level rules', async (t) => {
    const entry = actors.mediator.mediatorId;
    const { body: entryBody, membershipNumber: entryNumber } = (await ta.request({ method: 'GET', url: `/v1/register/${entry}` })).json();
    const exemption = { period: 2025, kind: 'exemption', reason: 'Parental leave' };
    const cases: { concept: string; who: Who; method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object; status: number }[] = [
      { concept: 'public entry of someone not on the register', who: 'anonymous', method: 'GET', url: `/v1/register/${actors.otherMediator.mediatorId}`, status: 404 },
      { concept: 'public history of someone not on the register', who: 'anonymous', method: 'GET', url: `/v1/register/${actors.otherMediator.mediatorId}/history`, status: 404 },
      { concept: 'public entry of an accredited mediator', who: 'anonymous', method: 'GET', url: `/v1/register/${entry}`, status: 200 },
      { concept: 'public entry by body and membership number', who: 'anonymous', method: 'GET', url: `/v1/register/by-number/${entryBody}/${encodeURIComponent(entryNumber)}`, status: 200 },
      { concept: 'public entry by a membership number never given', who: 'anonymous', method: 'GET', url: '/v1/register/by-number/com/NEVER-GIVEN', status: 404 },
      { concept: 'status on a date of an accredited mediator', who: 'anonymous', method: 'GET', url: `/v1/register/${entry}/status?asOf=2025-01-01`, status: 200 },
      { concept: 'status on a date of someone not on the register', who: 'anonymous', method: 'GET', url: `/v1/register/${actors.otherMediator.mediatorId}/status`, status: 404 },
      { concept: 'bulk lookup', who: 'anonymous', method: 'POST', url: '/v1/register/lookup', payload: { queries: [{ id: entry }, { id: actors.otherMediator.mediatorId }] }, status: 200 },
      { concept: 'entry page of someone not on the register', who: 'anonymous', method: 'GET', url: `/mediators/${actors.otherMediator.mediatorId}`, status: 404 },
      { concept: 'entry page with its status on a date', who: 'anonymous', method: 'GET', url: `/mediators/${entry}?asOf=2025-01-01`, status: 200 },
      { concept: 'search of every status, with near misses', who: 'anonymous', method: 'GET', url: '/v1/register?q=jonh&status=any', status: 200 },
      { concept: 'search with a status that does not exist', who: 'anonymous', method: 'GET', url: '/v1/register?status=expired', status: 400 },
      { concept: 'the change feed', who: 'anonymous', method: 'GET', url: '/v1/register/changes', status: 200 },
      { concept: 'the change feed from a position never given', who: 'anonymous', method: 'GET', url: `/v1/register/changes?since=${feedCursorAt(1_000_000)}`, status: 400 },
      { concept: 'signed statement of someone not on the register', who: 'anonymous', method: 'GET', url: `/v1/register/${actors.otherMediator.mediatorId}/statement`, status: 404 },
      { concept: 'signed statement of an accredited mediator', who: 'anonymous', method: 'GET', url: `/v1/register/${entry}/statement`, status: 200 },
      { concept: 'the keys that verify statements', who: 'anonymous', method: 'GET', url: '/.well-known/jwks.json', status: 200 },
      { concept: 'the page that checks a statement', who: 'anonymous', method: 'GET', url: '/verify', status: 200 },
      { concept: 'a statement posted to the check', who: 'anonymous', method: 'POST', url: '/verify', payload: { statement: 'not.a.statement' }, status: 200 },
      { concept: 'the check from a link with the statement twice', who: 'anonymous', method: 'GET', url: '/verify?statement=a.b.c&statement=d', status: 200 },
      { concept: 'the annual requirements as data', who: 'anonymous', method: 'GET', url: '/v1/rules', status: 200 },
      { concept: 'the annual requirements page', who: 'anonymous', method: 'GET', url: '/rules', status: 200 },
      { concept: 'the search page with those no longer accredited', who: 'anonymous', method: 'GET', url: '/?q=a&status=any', status: 200 },
      { concept: 'the search page from an edited page link', who: 'anonymous', method: 'GET', url: '/?q=a&cursor=x&back=not!a!cursor&page=3', status: 400 },
      { concept: 'the register statistics', who: 'anonymous', method: 'GET', url: '/v1/register/stats', status: 200 },
      { concept: 'exemption by the other body', who: 'adminCmc', method: 'POST', url: `/v1/admin/mediators/${entry}/exemptions`, payload: exemption, status: 403 },
      { concept: 'exemption of an unknown entry', who: 'registrar', method: 'POST', url: `/v1/admin/mediators/${randomUUID()}/exemptions`, payload: exemption, status: 404 },
      { concept: 'exemption by the mediator themself', who: 'mediator', method: 'POST', url: `/v1/admin/mediators/${entry}/exemptions`, payload: exemption, status: 403 },
      { concept: "another mediator's application", who: 'mediator', method: 'GET', url: `/v1/applications/${application}`, status: 404 },
      {
        concept: "evidence on another mediator's application",
        who: 'mediator',
        method: 'PUT',
        url: `/v1/applications/${application}/criteria/dbs`,
        payload: { certificateDate: '2025-01-01' },
        status: 404,
      },
      { concept: "submitting another mediator's application", who: 'mediator', method: 'POST', url: `/v1/applications/${application}/submit`, status: 404 },
      { concept: "withdrawing another mediator's application", who: 'mediator', method: 'POST', url: `/v1/applications/${application}/withdraw`, status: 404 },
      {
        concept: 'status change by the other body',
        who: 'adminCmc',
        method: 'POST',
        url: `/v1/admin/mediators/${entry}/status`,
        payload: { status: 'suspended', reason: 'Complaint upheld' },
        status: 403,
      },
      { concept: 'role change by an admin', who: 'adminCom', method: 'PUT', url: `/v1/admin/users/${actors.otherMediator.userId}/role`, payload: { role: 'registrar' }, status: 403 },
    ];
    for (const c of cases) {
      const before = await fingerprint();
      const res = await ta.request({ method: c.method, url: c.url, token: tokenOf(c.who), payload: c.payload });
      t.equal(res.statusCode, c.status, `${c.concept}: ${c.who} ${c.method} ${c.url}`);
      t.same(await fingerprint(), before, `${c.concept}: nothing changed`);
    }
  });
});
