import type { FastifyRequest } from 'fastify';
import type { ActorType, Body, Role } from '../domain/vocabulary.ts';
import { unauthorized } from '../errors.ts';

/**
 * Who is acting: a signed-in user, someone not signed in (register, login, claim), or the system
 * itself (the compliance job, CLI commands).
 */
export type Actor = UserActor | { type: Exclude<ActorType, 'user'>; id?: undefined; role?: undefined; body?: undefined };

/** A signed-in user. An admin always acts for a body (the users table checks it). */
export type UserActor = { type: 'user'; id: string } & ({ role: 'admin'; body: Body } | { role: Exclude<Role, 'admin'>; body: Body | null });

/** The actor an account acts as. */
export function userActor({ id, role, body }: { id: string; role: Role; body: Body | null }): UserActor {
  if (role !== 'admin') return { type: 'user', id, role, body };
  if (body === null) throw new Error(`Admin account ${id} has no body`);
  return { type: 'user', id, role, body };
}

/** Passed from routes into services: the actor and the request id every audit event carries. */
export interface RequestContext {
  actor: Actor;
  requestId: string | null;
  /** The client's address as TRUST_PROXY lets it be known (absent outside HTTP). */
  ip?: string;
}

/** The context of a request by a signed-in user: what services that act for the caller take. */
export interface UserContext extends RequestContext {
  actor: UserActor;
}

/**
 * The context of a request to a route that is not public, where the access hook (plugins/access.ts)
 * has let only a signed-in user through.
 */
export function userContext(req: FastifyRequest): UserContext {
  const { actor } = req.ctx;
  if (actor.type !== 'user') throw unauthorized();
  return { ...req.ctx, actor };
}

/** The same request, now acting as the account it has just signed in, proved or created. */
export const actingAs = (ctx: RequestContext, account: { id: string; role: Role; body: Body | null }): UserContext => ({ ...ctx, actor: userActor(account) });

export const systemContext = (requestId: string | null = null): RequestContext => ({
  actor: { type: 'system' },
  requestId,
});
