import t from 'tap';
import { buildTestApp, eachDatabase, PASSWORD } from '../helpers/app.ts';
import { createActors, fillPath, listOperations, tokenFor } from '../helpers/fuzz-harness.ts';

const ID = '00000000-0000-4000-8000-000000000000';
const withIds = (url: string) => fillPath(url, new Proxy({}, { get: () => ID }));

await eachDatabase(t, async (t, kind) => {
  // Small body limits, so "too large" is cheap to send to every route, the import route included.
  const ta = await buildTestApp(t, kind, { env: { BODY_LIMIT_BYTES: '2048', IMPORT_BODY_LIMIT_BYTES: '4096', RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000' } });
  const actors = await createActors(ta);
  const { operations } = await listOperations(ta);

  await t.test('lists refuse a limit outside 1 to their documented maximum (100 unless a list says more) and accept the maximum', async (t) => {
    const lists = operations.filter((op) => op.method === 'GET' && op.queryParams.some((p) => p.name === 'limit'));
    t.ok(lists.length >= 2, `${lists.length} list endpoints`);
    for (const op of lists) {
      const token = tokenFor(op.access, actors);
      const most = Number(op.queryParams.find((p) => p.name === 'limit')!.schema.maximum ?? 100);
      t.ok(most === 100 || op.url === '/v1/register/changes', `${op.url}: at most ${most} a page`);
      for (const limit of [String(most + 1), '0', '-1', '1e5', 'all']) {
        const res = await ta.request({ method: 'GET', url: withIds(op.url), query: { limit }, token });
        t.equal(res.statusCode, 400, `${op.url}?limit=${limit}`);
        t.match(res.headers['content-type'], /^application\/problem\+json/);
      }
      const max = await ta.request({ method: 'GET', url: withIds(op.url), query: { limit: String(most) }, token });
      t.not(max.statusCode, 400, `${op.url}?limit=${most} is allowed`);
    }
  });

  await t.test('bodies over the limit are 413 on every route that takes one', async (t) => {
    const writes = operations.filter((op) => op.body);
    t.ok(writes.length >= 5, `${writes.length} routes with a body`);
    for (const op of writes) {
      const json = op.body!.contentType === 'application/json';
      const payload = json ? JSON.stringify({ filler: 'x'.repeat(8192) }) : 'a,b\n'.repeat(2048);
      const res = await ta.request({ method: op.method as 'POST', url: withIds(op.url), token: tokenFor(op.access, actors), payload, headers: { 'content-type': op.body!.contentType } });
      t.equal(res.statusCode, 413, `${op.method} ${op.url}`);
      t.match(res.headers['content-type'], /^application\/problem\+json/);
    }
  });

  await t.test('long search text is refused', async (t) => {
    const searches = operations.filter((op) => op.method === 'GET' && op.queryParams.some((p) => p.name === 'q'));
    t.ok(searches.length >= 1, `${searches.length} endpoints with q`);
    for (const op of searches) {
      const res = await ta.request({ method: 'GET', url: withIds(op.url), query: { q: 'mediator '.repeat(200) }, token: tokenFor(op.access, actors) });
      t.equal(res.statusCode, 400, `${op.url}?q=<1,800 characters>`);
    }
  });
});

await eachDatabase(t, async (t, kind) => {
  await t.test('1,000 rapid logins from one address: ten reach the service, the rest are 429', async (t) => {
    const ta = await buildTestApp(t, kind, { env: { RATE_LIMIT_AUTH_PER_MINUTE: '10' } });
    const login = () => ta.request({ method: 'POST', url: '/v1/auth/login', payload: { email: 'someone@example.org', password: PASSWORD } });
    const statuses = new Map<number, number>();
    let last: Awaited<ReturnType<typeof login>> | undefined;
    // In bursts of 100 at once: each request takes its count in one atomic step, so exactly ten pass.
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(Array.from({ length: 100 }, login));
      for (const r of responses) statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      last = responses.at(-1)!;
    }
    t.same(Object.fromEntries(statuses), { 401: 10, 429: 990 });
    t.match(last!.headers['content-type'], /^application\/problem\+json/);
    t.match(last!.headers['retry-after'], /^\d+$/, 'Retry-After says when to come back');
  });
});
