import type { FastifyRequest } from 'fastify';
import t from 'tap';
import { HttpProblem } from '../../src/errors.ts';
import { actingAs, systemContext, userActor, userContext, type RequestContext } from '../../src/lib/context.ts';

const requestWith = (ctx: RequestContext) => ({ ctx }) as FastifyRequest;

t.test('userActor: an account as it acts; an admin always for a body', async (t) => {
  t.same(userActor({ id: 'u1', role: 'mediator', body: null }), { type: 'user', id: 'u1', role: 'mediator', body: null });
  t.same(userActor({ id: 'u2', role: 'admin', body: 'cmc' }), { type: 'user', id: 'u2', role: 'admin', body: 'cmc' });
  t.throws(() => userActor({ id: 'u3', role: 'admin', body: null }), /no body/, 'the users table forbids an admin without a body');
});

t.test('actingAs keeps the request id and address and changes only the actor', async (t) => {
  const ctx: RequestContext = { actor: { type: 'anonymous' }, requestId: 'r1', ip: '192.0.2.1' };
  t.same(actingAs(ctx, { id: 'u1', role: 'mediator', body: null }), { actor: { type: 'user', id: 'u1', role: 'mediator', body: null }, requestId: 'r1', ip: '192.0.2.1' });
});

t.test('userContext: the signed-in user of a route that is not public, else 401', async (t) => {
  const signedIn: RequestContext = { actor: userActor({ id: 'u1', role: 'registrar', body: null }), requestId: 'r1' };
  t.same(userContext(requestWith(signedIn)), signedIn);
  for (const ctx of [{ actor: { type: 'anonymous' as const }, requestId: 'r2' }, systemContext('r3')]) {
    const err = (() => {
      try {
        userContext(requestWith(ctx));
      } catch (e) {
        return e;
      }
    })();
    t.ok(err instanceof HttpProblem && err.status === 401, `${ctx.actor.type}: 401`);
  }
});
