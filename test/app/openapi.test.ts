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
  t.notOk(ids.some((id) => !id), 'every operation has an operationId');
  t.equal(new Set(ids).size, ids.length, 'and no two share one');
  t.equal(doc.paths['/v1/admin/users/{id}/disabled'].put.operationId, 'putAdminUsersByIdDisabled');
  t.equal(doc.paths['/v1/register/export.csv'].get.operationId, 'getRegisterExportCsv');
  t.equal(doc.info.version, JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version, 'the version is the package version');

  const docs = await ta.request({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200);
  t.match(docs.headers['content-type'], /text\/html/);
});

t.test('every route declares who may call it', async (t) => {
  const ta = await buildTestApp(t, 'pglite');
  for (const r of ta.app.routeTable) {
    t.ok(r.access === 'public' || r.access === 'authenticated' || (Array.isArray(r.access) && r.access.length > 0), `${r.method} ${r.url}`);
  }
});
