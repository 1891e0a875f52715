import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../src/db/client.ts';
import type { AccessTokenClaims } from '../../src/lib/access-token.ts';
import type { RouteEntry } from '../../src/plugins/access.ts';
import type { JsonSchema } from './fuzz-arbitraries.ts';
import type { TestApp } from './app.ts';

/** One operation of the OpenAPI document joined with the access its route declared. */
export interface Operation {
  method: string;
  /** Fastify form, `/v1/x/:id`. */
  url: string;
  access: RouteEntry['access'];
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; required: boolean; schema: JsonSchema }[];
  body?: { contentType: string; schema: JsonSchema };
  /** Documents a JSON success response (an API operation, not an HTML page for people). */
  answersJson: boolean;
}

/** Whether an OpenAPI operation documents a JSON success response. */
export const documentsJson = (op: { responses?: Record<string, { content?: Record<string, unknown> }> } | undefined) =>
  Object.entries(op?.responses ?? {}).some(([code, r]) => code.startsWith('2') && Object.keys(r.content ?? {}).some((c) => c.includes('json')));

const toFastifyPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

/** The parts of a documented operation the harness reads. */
interface DocumentedOperation {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

/** Every documented operation (so every route, test/app/openapi.test.ts checks that) with its access. */
export async function listOperations(ta: TestApp): Promise<{ doc: unknown; operations: Operation[] }> {
  const doc: { paths: Record<string, Record<string, DocumentedOperation>> } = (await ta.request({ method: 'GET', url: '/openapi.json' })).json();
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const url = toFastifyPath(path);
      const entry = ta.app.routeTable.find((r) => r.method === method.toUpperCase() && r.url === url);
      if (!entry) throw new Error(`${method.toUpperCase()} ${url} is documented but not in the route table`);
      const params = op.parameters ?? [];
      const content = op.requestBody?.content;
      const contentType = content && (Object.keys(content).find((c) => c === 'application/json') ?? Object.keys(content)[0]);
      operations.push({
        method: method.toUpperCase(),
        url,
        access: entry.access,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: !!p.required, schema: p.schema ?? {} })),
        ...(content && contentType ? { body: { contentType, schema: content[contentType]!.schema ?? {} } } : {}),
        answersJson: documentsJson(op),
      });
    }
  }
  return { doc, operations };
}

// A URL cannot carry a lone surrogate (encodeURIComponent throws): send U+FFFD as a client would.
export const wellFormed = (v: string) => v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

export const fillPath = (url: string, values: Record<string, string>) => url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(wellFormed(values[name] ?? '')));

/** The people the matrix and the fuzzer act as. */
export interface Actors {
  mediator: { token: string; userId: string; mediatorId: string };
  otherMediator: { token: string; userId: string; mediatorId: string };
  assessor: { token: string; userId: string };
  adminCom: { token: string; userId: string };
  adminCmc: { token: string; userId: string };
  registrar: { token: string; userId: string };
}

export async function createActors(ta: TestApp): Promise<Actors> {
  return {
    mediator: await ta.mediator(),
    otherMediator: await ta.mediator(),
    assessor: await ta.staff('assessor'),
    adminCom: await ta.staff('admin', 'com'),
    adminCmc: await ta.staff('admin', 'cmc'),
    registrar: await ta.staff('registrar'),
  };
}

/** An actor whose role the route admits, so requests get past access control to validation. */
export function actorFor(access: RouteEntry['access'], actors: Actors): { token: string; userId: string } | undefined {
  if (access === 'public') return undefined;
  if (access === 'authenticated') return actors.mediator;
  if (access.includes('registrar')) return actors.registrar;
  if (access.includes('admin')) return actors.adminCom;
  if (access.includes('assessor')) return actors.assessor;
  return actors.mediator;
}

export const tokenFor = (access: RouteEntry['access'], actors: Actors): string | undefined => actorFor(access, actors)?.token;

/** Routes that, answered 2xx, end every session of the caller: their token stops working. */
export const endsOwnSessions = (method: string, url: string) => method === 'POST' && url === '/v1/auth/logout-all';

/**
 * Gives an actor whose sessions a request ended a token that works again: the same claims, signed
 * by the app, with the account's current session version.
 */
export async function renewToken(ta: TestApp, actor: { token: string; userId: string }): Promise<void> {
  const [row] = await queryRows<{ ver: number }>(ta.database.db, sql`SELECT session_version AS ver FROM users WHERE id = ${actor.userId}`);
  const { iat: _iat, exp: _exp, iss: _iss, aud: _aud, ...claims } = ta.app.jwt.decode<Record<string, unknown>>(actor.token)!;
  actor.token = ta.app.jwt.sign({ ...(claims as unknown as AccessTokenClaims), ver: row!.ver });
}

/**
 * A cheap picture of the database: the row count of every table in the public schema and the
 * audit head. Equal before and after a rejected request means it wrote nothing that lasted.
 * The rate-limit counters are left out: counting a refused attempt is their purpose.
 */
export async function fingerprinter(db: Db): Promise<() => Promise<Record<string, number>>> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'limit_counters' ORDER BY table_name`,
  );
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const query = sql.raw(
    [
      ...tables.map((t) => `SELECT '${t.name.replaceAll("'", "''")}' AS name, count(*)::int AS n FROM public.${quote(t.name)}`),
      "SELECT 'audit head' AS name, coalesce(max(seq), 0)::int AS n FROM public.audit_events",
    ].join(' UNION ALL '),
  );
  return async () => Object.fromEntries((await queryRows<{ name: string; n: number }>(db, query)).map((r) => [r.name, r.n]));
}

/**
 * What breaks the invariants every route keeps: never a 5xx, and every 4xx problem+json, except
 * that an HTML page for people (`answersJson: false`) may answer its errors as an HTML page.
 */
export function responseProblems(res: LightMyRequestResponse, { answersJson = true } = {}): string[] {
  const problems: string[] = [];
  const type = String(res.headers['content-type'] ?? '');
  if (res.statusCode >= 500) problems.push(`answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  if (res.statusCode >= 400 && !type.startsWith('application/problem+json') && (answersJson || !type.startsWith('text/html'))) {
    problems.push(`${res.statusCode} is ${type}, not application/problem+json`);
  }
  return problems;
}
