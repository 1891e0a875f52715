import fc from 'fast-check';
import t from 'tap';
import { buildTestApp, eachDatabase } from '../helpers/app.ts';
import { hostileString, hostileValue, resolveRef, unknownKey, valueFor, type JsonSchema } from '../helpers/fuzz-arbitraries.ts';
import { actorFor, createActors, endsOwnSessions, fillPath, fingerprinter, listOperations, renewToken, responseProblems, wellFormed, type Operation } from '../helpers/fuzz-harness.ts';

// Generated requests per operation and database: enough to hit every kind of hostile input a few
// times, few enough that the file stays around a minute on PGlite with every route in place.
const RUNS = Number(process.env.FUZZ_RUNS ?? 24);

interface Case {
  what: string;
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  /** A JSON value to send, or raw text (non-JSON content types, malformed JSON). */
  body?: { json: unknown } | { raw: string };
  /** The request carries a key no schema declares, so it must be refused with 400. */
  unknownKey?: boolean;
}

const asQueryValue = (v: unknown): string | string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** The keys a body schema declares, across its variants (an optional body is `anyOf` object/nothing). */
function declaredKeys(doc: unknown, schema: JsonSchema): string[] {
  const s = resolveRef(doc, schema);
  const variants = [s.anyOf, s.oneOf, s.allOf].flatMap((v) => (Array.isArray(v) ? (v as JsonSchema[]) : []));
  return [...Object.keys((s.properties ?? {}) as object), ...variants.flatMap((v) => declaredKeys(doc, v))];
}

const jsonObject = (c: Case) => (c.body && 'json' in c.body && typeof c.body.json === 'object' && !Array.isArray(c.body.json) ? c.body.json : {});

/** Requests for one operation: valid-shaped ones, and ones with exactly one hostile part. */
function casesFor(doc: unknown, op: Operation): fc.Arbitrary<Case> {
  const path = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, valueFor(doc, p.schema).map(String)])));
  const query = fc.record(Object.fromEntries(op.queryParams.map((p) => [p.name, valueFor(doc, p.schema).map(asQueryValue)])), {
    requiredKeys: op.queryParams.filter((p) => p.required).map((p) => p.name),
  }) as fc.Arbitrary<Record<string, string | string[]>>;
  const json = op.body?.contentType === 'application/json';
  const declared = new Set(op.body ? declaredKeys(doc, op.body.schema) : []);
  const body: fc.Arbitrary<Case['body']> = !op.body ? fc.constant(undefined) : json ? valueFor(doc, op.body.schema).map((v) => ({ json: v })) : fc.string({ maxLength: 200 }).map((raw) => ({ raw }));
  const valid = fc.record({ path, query, body }).map((c): Case => ({ what: 'valid-shaped', ...c }));

  const variants: fc.Arbitrary<Case>[] = [valid];
  for (const p of op.pathParams) {
    variants.push(fc.tuple(valid, hostileString).map(([c, v]) => ({ ...c, what: `hostile path :${p.name}`, path: { ...c.path, [p.name]: v } })));
  }
  if (op.queryParams.length) {
    variants.push(
      fc
        .tuple(valid, fc.constantFrom(...op.queryParams.map((p) => p.name)), fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 })))
        .map(([c, name, v]) => ({ ...c, what: `hostile query ${name}`, query: { ...c.query, [name]: v } })),
      fc
        .tuple(
          valid,
          unknownKey.filter((k) => !op.queryParams.some((p) => p.name === k)),
          fc.constantFrom('1', 'true', 'x'),
        )
        .map(([c, k, v]) => ({ ...c, what: `unknown query key ${k.slice(0, 20)}`, query: { ...c.query, [k]: v }, unknownKey: true })),
    );
  }
  if (op.body && json) {
    variants.push(
      fc.tuple(valid, hostileValue).map(([c, v]) => ({ ...c, what: 'hostile body', body: { json: v } })),
      fc
        .tuple(valid, fc.constantFrom('{', '{"a":', '[1,]', 'nul', '{"a":1}{"b":2}', '\uFEFF{}', '{"__proto__":{"admin":true}}'))
        .map(([c, raw]) => ({ ...c, what: 'malformed or poisoned JSON', body: { raw } })),
    );
    if (declared.size) {
      variants.push(
        fc.tuple(valid, fc.constantFrom(...declared), hostileValue).map(([c, k, v]) => ({
          ...c,
          what: `hostile body.${k}`,
          body: { json: { ...jsonObject(c), [k]: v } },
        })),
        fc
          .tuple(
            valid,
            unknownKey.filter((k) => !declared.has(k)),
            fc.oneof(
              fc.constant(true),
              hostileString.filter((s) => s.length < 1000),
            ),
          )
          .map(([c, k, v]) => ({
            ...c,
            what: `unknown body key ${k.slice(0, 20)}`,
            body: { json: { ...jsonObject(c), [k]: v } },
            unknownKey: true,
          })),
      );
    }
  } else if (op.body) {
    variants.push(fc.tuple(valid, hostileString).map(([c, raw]) => ({ ...c, what: 'hostile body', body: { raw } })));
  } else if (op.method !== 'GET') {
    // No body declared: any field sent is unknown.
    variants.push(fc.tuple(valid, unknownKey).map(([c, k]) => ({ ...c, what: `undeclared body {${k.slice(0, 20)}}`, body: { json: { [k]: true } }, unknownKey: true })));
  }
  return fc.oneof(...variants);
}

// Every operation on both databases in one file: more than tap's default two minutes on a busy machine.
t.setTimeout(600_000);

await eachDatabase(t, async (t, kind) => {
  const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000' } });
  const actors = await createActors(ta);
  const fingerprint = await fingerprinter(ta.database.db);
  const { doc, operations } = await listOperations(ta);
  t.ok(operations.length >= 9, `${operations.length} operations to fuzz`);
  let sent = 0;

  for (const op of operations) {
    await t.test(`${op.method} ${op.url}`, async (t) => {
      const actor = actorFor(op.access, actors);
      let current = await fingerprint();
      await fc.assert(
        fc.asyncProperty(casesFor(doc, op), async (c) => {
          sent++;
          const payload = c.body === undefined ? undefined : 'raw' in c.body ? c.body.raw : JSON.stringify(c.body.json);
          const res = await ta.request({
            method: op.method as 'GET',
            url: fillPath(op.url, c.path),
            query: Object.fromEntries(Object.entries(c.query).map(([k, v]) => [wellFormed(k), Array.isArray(v) ? v.map(wellFormed) : wellFormed(v)])),
            token: actor?.token,
            ...(payload === undefined ? {} : { payload, headers: { 'content-type': op.body?.contentType ?? 'application/json' } }),
          });
          const problems = responseProblems(res, op);
          // HTML pages take whatever a browser adds to their query (utm_source=...); the API refuses.
          if (c.unknownKey && op.answersJson && res.statusCode !== 400) problems.push(`a request with an unknown key got ${res.statusCode}, not 400`);
          const after = await fingerprint();
          if (res.statusCode >= 400) {
            const changed = Object.keys(after).filter((k) => after[k] !== current[k]);
            if (changed.length) problems.push(`rejected with ${res.statusCode} but changed ${changed.join(', ')}`);
          }
          current = after;
          if (actor && res.statusCode < 300 && endsOwnSessions(op.method, op.url)) await renewToken(ta, actor);
          if (problems.length) throw new Error(`${c.what}: ${problems.join('; ')}`);
        }),
        { numRuns: RUNS },
      );
      t.pass(`${RUNS} generated requests kept every invariant`);
    });
  }
  t.comment(`${sent} generated requests on ${kind} (${operations.length} operations x ${RUNS})`);

  await t.test('what the fuzzer found, pinned', async (t) => {
    const cases = [
      { what: 'NUL in text that reaches the database', status: 400, req: { method: 'POST' as const, url: '/v1/auth/login', payload: { email: 'a\u0000b', password: 'x' } } },
      { what: 'a path parameter over the router limit', status: 414, req: { method: 'PUT' as const, url: `/v1/admin/users/${'x'.repeat(300)}/role`, payload: {} } },
      { what: 'bad percent-encoding in the path', status: 400, req: { method: 'PUT' as const, url: '/v1/admin/users/%E0%A4%A/role', payload: {} } },
    ];
    for (const c of cases) {
      const res = await ta.request({ ...c.req, token: actors.registrar.token });
      t.equal(res.statusCode, c.status, c.what);
      t.same(responseProblems(res), [], `${c.what}: problem+json`);
    }
  });
});
