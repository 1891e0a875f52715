import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { buildTestApp, eachDatabase } from '../helpers/app.ts';

const LIMIT = 3;

/** Public searches (limited per address) through `peer` with the X-Forwarded-For it sends; the status codes. */
async function searches(app: FastifyInstance, peer: string, forwardedFor: (i: number) => string | undefined, count = LIMIT + 1) {
  const codes: number[] = [];
  for (let i = 0; i < count; i++) {
    const xff = forwardedFor(i);
    const res = await app.inject({ method: 'GET', url: '/v1/register', remoteAddress: peer, headers: xff ? { 'x-forwarded-for': xff } : {} });
    codes.push(res.statusCode);
  }
  return codes;
}
const refusedAfterLimit = [...Array(LIMIT).fill(200), 429];

await eachDatabase(t, async (t, kind) => {
  const env = { RATE_LIMIT_PUBLIC_PER_MINUTE: String(LIMIT) };

  await t.test('TRUST_PROXY=1: the address the proxy saw counts, not the left-most one the client wrote', async (t) => {
    const { app } = await buildTestApp(t, kind, { env: { ...env, TRUST_PROXY: '1' } });
    // The proxy appends the address it saw to whatever the client sent.
    t.same(await searches(app, '10.0.0.5', (i) => `198.51.100.${i}, 203.0.113.7`), refusedAfterLimit, 'a new made-up address each time does not reset the count');
    t.same(await searches(app, '10.0.0.5', () => '203.0.113.8', 1), [200], 'another client behind the proxy has its own count');
  });

  await t.test('TRUST_PROXY=1: failed sign-ins are counted by the address the proxy saw', async (t) => {
    const { app } = await buildTestApp(t, kind, { env: { TRUST_PROXY: '1', LOGIN_FAILURES_PER_ADDRESS: '2' } });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const headers = { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.7` };
      codes.push((await app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: '10.0.0.5', headers, payload: { email: 'someone@example.org', password: 'not the password' } })).statusCode);
    }
    t.same(codes, [401, 401, 429]);
  });

  await t.test('TRUST_PROXY=2: two proxies, the client is the address the outer one saw', async (t) => {
    const { app } = await buildTestApp(t, kind, { env: { ...env, TRUST_PROXY: '2' } });
    t.same(await searches(app, '10.0.0.6', (i) => `198.51.100.${i}, 203.0.113.7, 10.0.0.5`), refusedAfterLimit);
  });

  await t.test('TRUST_PROXY=<addresses>: only those peers are believed', async (t) => {
    const { app } = await buildTestApp(t, kind, { env: { ...env, TRUST_PROXY: '10.0.0.5,10.9.0.0/16' } });
    t.same(await searches(app, '10.0.0.5', (i) => `198.51.100.${i}, 203.0.113.7`), refusedAfterLimit, 'through the listed proxy: the client it saw');
    t.same(await searches(app, '10.9.1.1', () => '203.0.113.9'), refusedAfterLimit, 'a proxy in the listed range');
    t.same(await searches(app, '192.0.2.44', (i) => `198.51.100.${i}`), refusedAfterLimit, 'a direct client cannot name itself');
  });

  await t.test('TRUST_PROXY=false (the default): X-Forwarded-For is ignored', async (t) => {
    const { app } = await buildTestApp(t, kind, { env });
    t.same(await searches(app, '192.0.2.45', (i) => `198.51.100.${i}`), refusedAfterLimit);
  });
});
