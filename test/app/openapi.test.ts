import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import t from 'tap';
import { buildTestApp } from '../helpers/app.ts';

t.test('openapi.json is valid OpenAPI 3.1 and lists every route', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  const res = await ta.request({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const doc = res.json();
  t.equal(doc.openapi, '3.1.0');
  const validator = new Validator();
  const result = await validator.validate(doc);
  t.ok(result.valid, `valid OpenAPI: ${JSON.stringify(result.errors ?? []).slice(0, 2000)}`);

  const documented = new Set<string>();
  for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  const routes = ta.app.routeTable.filter((r) => r.url !== '/openapi.json');
  t.ok(routes.length >= 7, 'routes were recorded');
  for (const r of routes) t.ok(documented.has(`${r.method} ${toOpenApiPath(r.url)}`), `${r.method} ${r.url} documented`);

  const ids = Object.values<Record<string, { operationId?: string }>>(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
  t.notOk(
    ids.some((id) => !id),
    'every operation has an operationId',
  );
  t.equal(new Set(ids).size, ids.length, 'and no two share one');
  t.equal(doc.paths['/v1/admin/users/{id}/disabled'].put.operationId, 'putAdminUsersByIdDisabled');
  t.equal(doc.paths['/v1/register/export.csv'].get.operationId, 'getRegisterExportCsv');
  t.equal(doc.info.version, JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version, 'the version is the package version');

  const docs = await ta.request({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200);
  t.match(docs.headers['content-type'], /text\/html/);
});

t.test('operations: tags, descriptions, problem responses, security and limits from the route', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  const doc = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
  type Response = { description?: string; content?: Record<string, { schema: { $ref?: string } }> };
  type Operation = { tags?: string[]; security?: unknown; requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }; responses: Record<string, Response> };
  const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  const operations = Object.entries<Record<string, Operation>>(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, op })));
  const routes = new Map(ta.app.routeTable.map((r) => [`${r.method} ${toOpenApiPath(r.url)}`, r]));

  const declared: Array<{ name: string; description?: string }> = doc.tags;
  t.ok(
    declared.every((tag) => tag.description),
    'every declared tag has a description',
  );
  const names = new Set(declared.map((tag) => tag.name));
  const used = new Set(operations.flatMap(({ op }) => op.tags ?? []));
  for (const { key, op } of operations) t.ok(op.tags?.length && op.tags.every((tag) => names.has(tag)), `${key} has declared tags`);
  t.same(
    [...names].filter((name) => !used.has(name)),
    [],
    'every declared tag is used',
  );

  const problem = doc.components.schemas.Problem;
  t.ok(problem.properties.code.enum.includes('period-closed'), 'the Problem schema enumerates the catalogue codes');
  for (const { key, path, op } of operations) {
    const route = routes.get(key);
    for (const [status, response] of Object.entries(op.responses)) {
      t.ok(response.description && response.description !== 'Default Response', `${key} ${status} has a description`);
      if (Number(status) < 400) continue;
      t.same(Object.keys(response.content ?? {}), ['application/problem+json'], `${key} ${status} is problem+json`);
      const ref = response.content!['application/problem+json']!.schema.$ref ?? '';
      const schema = doc.components.schemas[ref.replace('#/components/schemas/', '')];
      if (ref !== '#/components/schemas/Problem') t.ok(schema && problem.required.every((p: string) => schema.required.includes(p)), `${key} ${status} extends the Problem (${ref})`);
    }
    if (route) {
      const isPublic = route.access === 'public';
      t.same(op.security, isPublic ? undefined : [{ bearerAuth: [] }], `${key}: security ${isPublic ? 'absent on a public route' : 'bearerAuth'}`);
      if (!isPublic) t.ok(op.responses['401'] && op.responses['403'], `${key} documents 401 and 403`);
    }
    if (op.requestBody) t.ok(op.responses['413'] && op.responses['415'], `${key} takes a body: 413 and 415`);
    t.equal(Boolean(op.responses['503']), path.startsWith('/v1/') || path === '/ready', `${key}: 503 where the database is behind it`);
  }

  // 429 only where a limit applies: a route limit shows in its x-ratelimit-* headers (checked on the
  // public routes, where no access check answers first); the one other is counted in its service.
  const ATTEMPT_LIMITED = new Set(['POST /v1/me/second-factor']);
  for (const { key, path, op } of operations) {
    const route = routes.get(key);
    if (!route) continue;
    let limited = ATTEMPT_LIMITED.has(key);
    if (route.access === 'public') {
      const res = await ta.request({ method: route.method as 'GET', url: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000') });
      limited ||= res.headers['x-ratelimit-limit'] !== undefined;
    }
    t.equal(Boolean(op.responses['429']), limited, `${key}: 429 ${limited ? 'documented' : 'absent'}`);
  }

  const imports = doc.paths['/v1/admin/imports/grandfathered'].post.requestBody.content;
  t.same(Object.keys(imports).sort(), ['application/json', 'text/csv'], 'the import takes CSV or JSON');
  t.match(imports['text/csv'].schema, { type: 'string' });
  t.match(imports['application/json'].schema, { type: 'array' });
  const evidence = doc.paths['/v1/applications/{id}/criteria/{criterion}'].put.requestBody.content['application/json'].schema;
  t.same(
    evidence.anyOf.map((s: { title: string }) => s.title),
    ['membership', 'foundation_training', 'send_training', 'supported_practice', 'insurance', 'supervision', 'declaration', 'dbs'],
    'one shape per criterion',
  );
});

t.test('every route declares who may call it', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  for (const r of ta.app.routeTable) {
    t.ok(r.access === 'public' || r.access === 'authenticated' || (Array.isArray(r.access) && r.access.length > 0), `${r.method} ${r.url}`);
  }
});
